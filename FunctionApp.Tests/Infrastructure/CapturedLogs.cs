using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>Every log line the app writes during a test, formatted as a sink would see it, exception included.</summary>
internal sealed partial class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    /// <summary>The app's own lines with an event id (other libraries reuse the same numbers).</summary>
    public IEnumerable<LogLine> WithEventId(int id) =>
        Lines.Where(l => l.EventId == id && l.Category.StartsWith("FunctionApp.", StringComparison.Ordinal));

    /// <summary>Fails when any line holds something shaped like a JWT or the given secret.</summary>
    public void AssertNoSecrets(params string[] secrets)
    {
        foreach (var line in Lines)
        {
            Assert.False(JwtPattern().IsMatch(line.Text), $"A log line contains a JWT: [{line.Category}] {line.Text[..Math.Min(line.Text.Length, 120)]}");
            foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
            {
                Assert.False(line.Text.Contains(secret, StringComparison.Ordinal), $"A log line contains a secret: [{line.Category}]");
            }
        }
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")]
    internal static partial Regex JwtPattern();

    internal sealed record LogLine(string Category, LogLevel Level, int EventId, string Text, IReadOnlyList<KeyValuePair<string, object?>> State);

    private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception) + (exception is null ? "" : Environment.NewLine + exception);
            // Copy: the extended logger that Microsoft.Extensions.Http.Resilience brings in pools its state objects.
            IReadOnlyList<KeyValuePair<string, object?>> fields = state is IReadOnlyList<KeyValuePair<string, object?>> list ? [.. list] : [];
            lines.Enqueue(new LogLine(category, logLevel, eventId.Id, text, fields));
        }
    }
}
