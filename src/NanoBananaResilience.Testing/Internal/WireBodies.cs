using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NanoBananaResilience.Testing.Internal;

/// <summary>
/// Writes every body the simulation sends, field for field as in the project's wire fixtures.
/// </summary>
/// <remarks>
/// Bodies are written with <see cref="Utf8JsonWriter"/> rather than serialized from DTOs: the point is to control
/// exact names, casing and the presence of <c>null</c>s per gateway, which is what readers under test must cope with.
/// </remarks>
internal static partial class WireBodies
{
    public const string OverloadedMessage =
        "This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.";

    private const string QuotaMessage =
        "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.";

    private const string RefusalText = "I can't create that image. Is there something else I can help you make?";
    private const string NoImageText = "Sure! Here's a description of the scene instead: a small cat floats in a silver spacesuit above a blue planet.";

    // Gateways do not escape '+' or '<' in strings; the default encoder would turn every '+' of the base64 into \u002B.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly byte[] BadGatewayPage = Encoding.UTF8.GetBytes(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");

    public static byte[] Overloaded() => Json(w => WriteGoogleError(w, 503, OverloadedMessage, "UNAVAILABLE", null));

    public static byte[] RateLimited(string modelId, int retrySeconds) =>
        Json(w => WriteGoogleError(w, 429, QuotaMessage + RetryIn(retrySeconds), "RESOURCE_EXHAUSTED", w =>
        {
            WriteQuotaFailure(w, modelId, "GenerateRequestsPerMinutePerProjectPerModel", "20");
            WriteHelp(w);
            WriteRetryInfo(w, retrySeconds);
        }));

    public static byte[] DailyQuota(string modelId, int retrySeconds) =>
        Json(w => WriteGoogleError(w, 429, QuotaMessage + RetryIn(retrySeconds), "RESOURCE_EXHAUSTED", w =>
        {
            WriteQuotaFailure(w, modelId, "GenerateRequestsPerDayPerProjectPerModel", "250");
            WriteHelp(w);
            WriteRetryInfo(w, retrySeconds);
        }));

    public static byte[] UnknownModel(string requestedModel) => Json(w => WriteGoogleError(
        w,
        404,
        $"models/{requestedModel} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.",
        "NOT_FOUND",
        null));

    public static byte[] BadRequest(string message) => Json(w => WriteGoogleError(w, 400, message, "INVALID_ARGUMENT", null));

    /// <summary>OpenAI-style envelope; the presented key is never echoed, not even masked.</summary>
    public static byte[] Unauthorized() => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", "Incorrect API key provided. Pass the key the simulated gateway was configured with as 'Authorization: Bearer <key>'.");
        w.WriteString("type", "invalid_request_error");
        w.WriteNull("param");
        w.WriteString("code", "invalid_api_key");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static byte[] PathNotFound() => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", "Not found. The simulated gateway serves POST {base}/chat/completions and POST /v1beta/models/{model}:generateContent (or :streamGenerateContent) only.");
        w.WriteString("type", "invalid_request_error");
        w.WriteNull("param");
        w.WriteString("code", "not_found");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static byte[] BadGateway() => BadGatewayPage;

    public static byte[] Answer(SimulatedResponseShape shape, SimulatedOutcome outcome, AnswerContext context)
        => IsNative(shape) ? NativeAnswer(shape, outcome, context) : Json(w => WriteChat(w, shape, outcome, context));

    private static void WriteChat(Utf8JsonWriter w, SimulatedResponseShape shape, SimulatedOutcome outcome, AnswerContext context)
    {
        var success = outcome == SimulatedOutcome.Success;
        var imageTokens = success ? context.ImageTokens : 0;
        var completionTokens = success ? imageTokens : outcome == SimulatedOutcome.ContentBlocked ? 17 : 40;
        var openRouter = shape == SimulatedResponseShape.OpenRouterImages;
        var (finishReason, nativeFinishReason) = outcome switch
        {
            SimulatedOutcome.ContentBlocked => ("content_filter", "IMAGE_SAFETY"),
            _ => ("stop", "STOP"),
        };

        w.WriteStartObject();
        w.WriteString("id", (openRouter ? "gen-" : "chatcmpl-") + context.ResponseId);
        if (openRouter)
        {
            w.WriteString("provider", "Google AI Studio");
        }

        w.WriteString("model", context.RequestedModel);
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", context.Created);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        if (openRouter)
        {
            w.WriteNull("logprobs");
        }

        w.WriteString("finish_reason", finishReason);
        if (openRouter)
        {
            w.WriteString("native_finish_reason", nativeFinishReason);
        }

        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        var url = SampleImages.DataUrl(context.Image, context.MediaType);
        if (!success)
        {
            w.WriteString("content", outcome == SimulatedOutcome.ContentBlocked ? RefusalText : NoImageText);
        }
        else
        {
            switch (shape)
            {
                case SimulatedResponseShape.MarkdownDataUrl:
                    w.WriteString("content", $"![image]({url})");
                    break;

                case SimulatedResponseShape.ContentParts:
                    w.WriteStartArray("content");
                    w.WriteStartObject();
                    w.WriteString("type", "text");
                    w.WriteString("text", "Here is your image.");
                    w.WriteEndObject();
                    w.WriteStartObject();
                    w.WriteString("type", "image_url");
                    w.WriteStartObject("image_url");
                    w.WriteString("url", url);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndArray();
                    break;

                default:
                    w.WriteString("content", string.Empty);
                    break;
            }
        }

        if (openRouter)
        {
            w.WriteNull("refusal");
            w.WriteNull("reasoning");
        }

        if (success && shape is SimulatedResponseShape.OpenRouterImages or SimulatedResponseShape.ImageUrlString)
        {
            w.WriteStartArray("images");
            w.WriteStartObject();
            w.WriteString("type", "image_url");
            if (shape == SimulatedResponseShape.ImageUrlString)
            {
                w.WriteString("image_url", url);
            }
            else
            {
                w.WriteStartObject("image_url");
                w.WriteString("url", url);
                w.WriteEndObject();
            }

            w.WriteNumber("index", 0);
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteEndObject(); // message
        w.WriteEndObject(); // choice
        w.WriteEndArray();

        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", context.PromptTokens);
        w.WriteNumber("completion_tokens", completionTokens);
        w.WriteNumber("total_tokens", context.PromptTokens + completionTokens);
        if (openRouter)
        {
            var promptCost = context.PromptTokens * context.InputTokenPrice;
            var completionCost = completionTokens * context.ImageTokenPrice;
            w.WriteNumber("cost", Math.Round(promptCost + completionCost, 7));
            w.WriteBoolean("is_byok", false);
            w.WriteStartObject("prompt_tokens_details");
            w.WriteNumber("cached_tokens", 0);
            w.WriteNumber("audio_tokens", 0);
            w.WriteNumber("video_tokens", 0);
            w.WriteEndObject();
            w.WriteStartObject("cost_details");
            w.WriteNull("upstream_inference_cost");
            w.WriteNumber("upstream_inference_prompt_cost", Math.Round(promptCost, 9));
            w.WriteNumber("upstream_inference_completions_cost", Math.Round(completionCost, 9));
            w.WriteEndObject();
        }

        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteNumber("image_tokens", imageTokens);
        w.WriteEndObject();
        w.WriteEndObject(); // usage
        w.WriteEndObject();
    }

    private static void WriteGoogleError(Utf8JsonWriter w, int code, string message, string status, Action<Utf8JsonWriter>? details)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        w.WriteString("status", status);
        if (details is not null)
        {
            w.WriteStartArray("details");
            details(w);
            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteQuotaFailure(Utf8JsonWriter w, string modelId, string quotaId, string quotaValue)
    {
        w.WriteStartObject();
        w.WriteString("@type", "type.googleapis.com/google.rpc.QuotaFailure");
        w.WriteStartArray("violations");
        w.WriteStartObject();
        w.WriteString("quotaMetric", "generativelanguage.googleapis.com/generate_content_paid_tier_requests");
        w.WriteString("quotaId", quotaId);
        w.WriteStartObject("quotaDimensions");
        w.WriteString("location", "global");
        w.WriteString("model", modelId);
        w.WriteEndObject();
        w.WriteString("quotaValue", quotaValue);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteHelp(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("@type", "type.googleapis.com/google.rpc.Help");
        w.WriteStartArray("links");
        w.WriteStartObject();
        w.WriteString("description", "Learn more about Gemini API quotas");
        w.WriteString("url", "https://ai.google.dev/gemini-api/docs/rate-limits");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Google repeats the delay in the message; gateways that keep only the message (Portkey) keep the hint that way.</summary>
    private static string RetryIn(int retrySeconds) => string.Create(CultureInfo.InvariantCulture, $" Please retry in {retrySeconds}s.");

    private static void WriteRetryInfo(Utf8JsonWriter w, int retrySeconds)
    {
        w.WriteStartObject();
        w.WriteString("@type", "type.googleapis.com/google.rpc.RetryInfo");
        w.WriteString("retryDelay", retrySeconds.ToString(CultureInfo.InvariantCulture) + "s");
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
