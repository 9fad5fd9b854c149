using System.Collections.Concurrent;
using FunctionApp.Problems;

namespace TestSupport;

/// <summary>
/// A log sink that checks every line as a sink would see it, exception included, for a token or a given secret (the
/// identity header). Tests keep the lines to assert on them; the load and soak runs only count.
/// </summary>
public sealed class CapturedLogs(bool keepLines = true, params string[] secrets) : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly ConcurrentQueue<LogLine> _leaks = new();
    private long _count;

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    /// <summary>Lines holding something shaped like a JWT or one of the secrets.</summary>
    public IReadOnlyList<LogLine> Leaks => [.. _leaks];

    public long Count => Interlocked.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    /// <summary>The app's own lines with an event id (other libraries reuse the same numbers).</summary>
    public IEnumerable<LogLine> WithEventId(int id) =>
        Lines.Where(l => l.EventId == id && l.Category.StartsWith("FunctionApp.", StringComparison.Ordinal));

    /// <summary>Whether a text holds a token (the app's own redaction pattern) or one of the secrets.</summary>
    public bool HasSecret(string text) =>
        ProblemMapper.TokenPattern().IsMatch(text) || secrets.Any(s => s.Length > 0 && text.Contains(s, StringComparison.Ordinal));

    private void Write(LogLine line)
    {
        Interlocked.Increment(ref _count);
        if (keepLines)
        {
            _lines.Enqueue(line);
        }

        if (HasSecret(line.Text))
        {
            _leaks.Enqueue(line);
        }
    }

    public sealed record LogLine(string Category, LogLevel Level, int EventId, string Text, IReadOnlyList<KeyValuePair<string, object?>> State);

    private sealed class Logger(string category, CapturedLogs sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception) + (exception is null ? "" : Environment.NewLine + exception);
            // Copied: the extended logger that Microsoft.Extensions.Http.Resilience brings in pools its state objects.
            IReadOnlyList<KeyValuePair<string, object?>> fields = state is IReadOnlyList<KeyValuePair<string, object?>> list ? [.. list] : [];
            sink.Write(new LogLine(category, logLevel, eventId.Id, text, fields));
        }
    }
}
