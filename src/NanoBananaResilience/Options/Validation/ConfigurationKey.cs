namespace NanoBananaResilience;

/// <summary>Turns the generated validator's member paths into configuration keys.</summary>
internal static class ConfigurationKey
{
    /// <summary>
    /// <c>NanoBananaOptions.Retry.MaxDelay</c> → <c>NanoBanana:Retry:MaxDelay</c>;
    /// <c>NanoBananaOptions.Models[1].MaxAttempts</c> → <c>NanoBanana:Models:1:MaxAttempts</c>. The first segment is
    /// the options' name (the unnamed options are validated under their type name); a named client's section is put in
    /// place afterwards by <see cref="NanoBananaOptionsValidator"/>.
    /// </summary>
    public static string FromDisplayName(string displayName)
    {
        var firstDot = displayName.IndexOf('.', StringComparison.Ordinal);
        var path = firstDot < 0 ? displayName : displayName[(firstDot + 1)..];
        return NanoBananaOptions.SectionName + ":" + path.Replace("[", ".", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal).Replace('.', ':');
    }

    /// <summary>Rewrites a message that starts with a member path (<c>NanoBananaOptions.Models[0] is null</c>) to start with its key.</summary>
    public static string InMessage(string message)
    {
        var prefix = nameof(NanoBananaOptions) + ".";
        if (!message.StartsWith(prefix, StringComparison.Ordinal))
        {
            return message;
        }

        var end = message.IndexOf(' ', StringComparison.Ordinal);
        return end < 0 ? FromDisplayName(message) : FromDisplayName(message[..end]) + message[end..];
    }
}
