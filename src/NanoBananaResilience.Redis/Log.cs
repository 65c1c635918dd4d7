using Microsoft.Extensions.Logging;

namespace NanoBananaResilience.Redis;

internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Warning, "Redis does not answer ({Error}); the client runs on its own state until it does, and its period budget fails {FailMode}")]
    public static partial void Unavailable(ILogger logger, string error, string failMode);

    [LoggerMessage(102, LogLevel.Information, "Redis answers again; the client's state rejoins the shared state")]
    public static partial void Rejoining(ILogger logger);

    [LoggerMessage(103, LogLevel.Debug, "Shared state rejoined: {Models} model(s) and {Buckets} budget bucket(s) written back")]
    public static partial void Rejoined(ILogger logger, int models, int buckets);
}
