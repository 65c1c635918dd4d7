namespace NanoBananaResilience.Testing.Internal;

internal static class MediaTypes
{
    public const string Json = "application/json";
    public const string Html = "text/html";
    public const string EventStream = "text/event-stream";
}
