using Microsoft.Extensions.Logging;

namespace NanoBananaResilience;

/// <summary>Log messages, generated at compile time. Prompts only at Trace; the API key never.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Trace, "Generating with prompt {Prompt}")]
    public static partial void Prompt(ILogger logger, string prompt);

    [LoggerMessage(2, LogLevel.Debug, "Plan for this call: {Plan}{PeakNote}")]
    public static partial void Planned(ILogger logger, string plan, string peakNote);

    [LoggerMessage(3, LogLevel.Information, "Attempt on {Model}: {Outcome} (HTTP {Status}) after {ElapsedMs} ms, then {Decision}: {Detail}")]
    public static partial void AttemptFinished(ILogger logger, string model, AttemptOutcome outcome, int? status, long elapsedMs, AttemptDecision decision, string? detail);

    [LoggerMessage(4, LogLevel.Information, "Skipping {Model}: {Detail}")]
    public static partial void Skipped(ILogger logger, string model, string detail);

    [LoggerMessage(5, LogLevel.Debug, "Image from {Model} after {Attempts} attempt(s), estimated cost {Cost} USD")]
    public static partial void Succeeded(ILogger logger, string model, int attempts, decimal? cost);

    [LoggerMessage(6, LogLevel.Warning, "No image: {Outcome} after {Attempts} attempt(s): {Message}")]
    public static partial void Failed(ILogger logger, AttemptOutcome outcome, int attempts, string message);

    [LoggerMessage(7, LogLevel.Warning, "{Model} judged down (an outage, not noise): skipped without sending, first probe in {BreakDuration}")]
    public static partial void BreakerOpened(ILogger logger, string model, TimeSpan breakDuration);

    [LoggerMessage(8, LogLevel.Information, "{Model} answered again: up for every call")]
    public static partial void BreakerClosed(ILogger logger, string model);

    [LoggerMessage(9, LogLevel.Information, "Every model is resting; waiting up to {Wait} for one to reopen or for a probe slot")]
    public static partial void WaitingForReopen(ILogger logger, TimeSpan wait);

    [LoggerMessage(10, LogLevel.Information, "Every model is resting; probing {Model} through its open breaker")]
    public static partial void Probing(ILogger logger, string model);
}
