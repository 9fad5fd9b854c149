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

    public IEnumerable<LogLine> WithEventId(int id) => Lines.Where(l => l.EventId == id);

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
            var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            lines.Enqueue(new LogLine(category, logLevel, eventId.Id, text, fields));
        }
    }
}
