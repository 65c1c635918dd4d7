using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace NanoBanana.Cli;

/// <summary>
/// Prints the library's own log events as they happen (the plan, attempts, waits, breakers), so nobody watches a
/// silent wait. In line mode every event is one line (logs, pipes, CI). In live mode — a person at a terminal — a
/// last line is redrawn in place every second with the time since the last event, and cleared before the next one.
/// </summary>
internal sealed partial class Narrator : ILoggerProvider
{
    private readonly TextWriter _output;
    private readonly Func<string>? _stamp;
    private readonly TimeProvider _time;
    private readonly ITimer? _ticker;
    private readonly Lock _lock = new();
    private long _since;
    private bool _lineShown;

    /// <param name="output">Where the narration goes.</param>
    /// <param name="live">Whether to keep a live line at the bottom.</param>
    /// <param name="time">The clock of the live line.</param>
    /// <param name="stamp">A time stamp for each line (the demo's virtual clock), or null for none.</param>
    public Narrator(TextWriter output, bool live = false, TimeProvider? time = null, Func<string>? stamp = null)
    {
        _output = output;
        _stamp = stamp;
        _time = time ?? TimeProvider.System;
        _since = _time.GetTimestamp();
        _ticker = live ? _time.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) : null;
    }

    public ILogger CreateLogger(string categoryName) => new NarratorLogger(this, categoryName);

    public void Dispose()
    {
        _ticker?.Dispose();
        lock (_lock)
        {
            ClearLiveLine();
        }
    }

    /// <summary>Writes a line of the command's own between events, below any live line.</summary>
    public void Say(string message)
    {
        lock (_lock)
        {
            ClearLiveLine();
            _output.WriteLine(message);
            _since = _time.GetTimestamp();
        }
    }

    /// <summary>Shows a duration as a person reads it: 850 ms, 34 s, 2 min 5 s, 1 h 30 min.</summary>
    internal static string Human(TimeSpan span) => span switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.Minutes} min {span.Seconds} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalHours} h {span.Minutes} min"),
    };

    /// <summary>Renders an event from its template, with durations for people instead of TimeSpan's 00:00:33.9935492.</summary>
    internal static string Render(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var template = values.FirstOrDefault(v => v.Key == "{OriginalFormat}").Value as string ?? string.Empty;
        return Hole().Replace(template, match =>
        {
            var value = values.FirstOrDefault(v => string.Equals(v.Key, match.Groups[1].Value, StringComparison.Ordinal)).Value;
            return value switch
            {
                TimeSpan span => Human(span),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                null => "-",
                _ => value.ToString() ?? string.Empty,
            };
        });
    }

    private void Write(string message)
    {
        var prefix = _stamp is null ? "  " : $"  [{_stamp()}] ";
        Say(prefix + message);
    }

    private void Tick()
    {
        lock (_lock)
        {
            var quiet = _time.GetElapsedTime(_since);
            _output.Write($"\r  … {Human(TimeSpan.FromSeconds(Math.Floor(quiet.TotalSeconds)))} since the last step   ");
            _output.Flush();
            _lineShown = true;
        }
    }

    private void ClearLiveLine()
    {
        if (_lineShown)
        {
            _output.Write("\r" + new string(' ', 40) + "\r");
            _lineShown = false;
        }
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Hole();

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
            var text = state is IReadOnlyList<KeyValuePair<string, object?>> values ? Render(values) : formatter(state, exception);
            narrator.Write($"{symbol} {text}");
        }
    }
}
