using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary>The one JSON object <c>--json</c> prints on stdout, success or failure.</summary>
internal sealed record JsonReport
{
    public required bool Ok { get; init; }

    public string? Model { get; init; }

    /// <summary>Gets the gateway that served (or last failed) the call; absent without named gateways.</summary>
    public string? Gateway { get; init; }

    public IReadOnlyList<string>? Files { get; init; }

    public string? MediaType { get; init; }

    public long? Bytes { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    public decimal? EstimatedCostUsd { get; init; }

    public string? Text { get; init; }

    public string? Error { get; init; }

    public string? Message { get; init; }

    public int? Status { get; init; }

    public double? RetryAfterSeconds { get; init; }

    public required IReadOnlyList<JsonAttempt> Attempts { get; init; }

    /// <summary>Gets every call of a run of several (the demo's story), each as its own report.</summary>
    public IReadOnlyList<JsonReport>? Calls { get; init; }

    /// <summary>Gets how many requests the run sent in all, where the command counts them.</summary>
    public long? RequestsSent { get; init; }

    public static JsonReport Success(NanoBananaResult result, IReadOnlyList<string> files) => new()
    {
        Ok = true,
        Model = result.Model,
        Gateway = result.Gateway,
        Files = files,
        MediaType = result.Image.MediaType,
        Bytes = result.Images.Sum(i => (long)i.Data.Length),
        Width = result.Image.Width,
        Height = result.Image.Height,
        EstimatedCostUsd = result.EstimatedCostUsd,
        Text = result.Text,
        Attempts = Trail(result.Attempts),
    };

    public static JsonReport Failure(string error, string message, NanoBananaException? e = null) => new()
    {
        Ok = false,
        Error = error,
        Message = message,
        Model = e?.Model,
        Gateway = e?.Gateway,
        Status = e?.StatusCode,
        RetryAfterSeconds = e?.RetryAfter?.TotalSeconds,
        Attempts = e is null ? [] : Trail(e.Attempts),
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options.GetTypeInfo(typeof(JsonReport)));

    // Readable output: arrows and quotes as themselves, not \u escapes.
    private static readonly JsonSerializerOptions Options = new(CliJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static List<JsonAttempt> Trail(IReadOnlyList<AttemptRecord> attempts)
        => [.. attempts.Select(a => new JsonAttempt(
            a.Model,
            a.Outcome.ToString(),
            a.StatusCode,
            (long)a.Elapsed.TotalMilliseconds,
            (long)a.Waited.TotalMilliseconds,
            a.WaitReason == WaitReason.None ? null : a.WaitReason.ToString(),
            a.Decision.ToString(),
            a.Detail,
            a.Gateway))];
}

/// <summary>One attempt in the JSON trail.</summary>
internal sealed record JsonAttempt(string Model, string Outcome, int? Status, long ElapsedMs, long WaitedMs, string? WaitReason, string Decision, string? Detail, string? Gateway);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
