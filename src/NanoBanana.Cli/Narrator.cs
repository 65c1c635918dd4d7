using Microsoft.Extensions.Logging;

namespace NanoBanana.Cli;

/// <summary>
/// Prints the library's own log events as they happen (attempts, breaker, waits), so a person sees the
/// chain at work live. It writes to stderr, keeping stdout for the result (and for <c>--json</c>).
/// </summary>
internal sealed class Narrator(TextWriter output, Func<string>? clock = null) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new NarratorLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string message)
    {
        var prefix = clock is null ? "  " : $"  [{clock()}] ";
        lock (output)
        {
            output.WriteLine(prefix + message);
        }
    }

    private sealed class NarratorLogger(Narrator narrator, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel)
            => logLevel >= LogLevel.Debug && category.StartsWith("NanoBananaResilience", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The plan (Debug) is worth showing here; other Debug chatter is not.
            if (!IsEnabled(logLevel) || (logLevel == LogLevel.Debug && eventId.Id != 2))
            {
                return;
            }

            var symbol = eventId.Id switch
            {
                2 => "→",
                3 => "•",
                4 => "⤼",
                7 => "⚡",
                8 => "✓",
                9 => "…",
                _ => "·",
            };
            narrator.Write($"{symbol} {formatter(state, exception)}");
        }
    }
}
