namespace NanoBananaResilience.Testing.Internal;

/// <summary>A Google-native path, <c>…/models/{model}:generateContent</c> or <c>…:streamGenerateContent</c>.</summary>
internal readonly record struct NativeRoute(string Model, bool Streaming)
{
    private const string Generate = ":generateContent";
    private const string Stream = ":streamGenerateContent";
    private const string Models = "/models/";

    public static bool TryMatch(string path, out NativeRoute route)
    {
        route = default;
        path = Uri.UnescapeDataString(path);
        var streaming = path.EndsWith(Stream, StringComparison.Ordinal);
        if (!streaming && !path.EndsWith(Generate, StringComparison.Ordinal))
        {
            return false;
        }

        var method = path.LastIndexOf(':');
        var models = path.LastIndexOf(Models, method, StringComparison.Ordinal);
        if (models < 0)
        {
            return false;
        }

        var model = path[(models + Models.Length)..method];
        if (model.Length == 0 || model.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        route = new NativeRoute(model, streaming);
        return true;
    }
}
