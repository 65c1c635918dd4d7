using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NanoBananaResilience;

/// <summary>
/// Turns a body's skeleton (see <see cref="ResponseScanner"/>) into a <see cref="ParsedBody"/>: images,
/// text, finish reasons, usage and any error envelope, for every shape in the README's "Response shapes".
/// Reads only; decides nothing.
/// </summary>
internal static partial class BodyInterpreter
{
    /// <summary>The <c>type</c> of a content part that holds an image, in the spellings gateways use.</summary>
    private static readonly HashSet<string> ImagePartTypes = new(StringComparer.Ordinal) { "image_url", "image", "output_image", "inline_data", "inlineData", "input_image" };

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    public static ParsedBody Interpret(ReadOnlyMemory<byte> skeleton, IReadOnlyList<DecodedImage> images)
    {
        var body = new ParsedBody();
        JsonDocument document;
        try
        {
            // JsonDocument checks UTF-8 only when a string is read, and then throws InvalidOperationException
            // from deep inside the reader; a body with invalid bytes is simply not the JSON it claims to be.
            if (!System.Text.Unicode.Utf8.IsValid(skeleton.Span))
            {
                throw new JsonException("The body is not valid UTF-8.");
            }

            document = JsonDocument.Parse(skeleton, DocumentOptions);
        }
        catch (JsonException)
        {
            body.Excerpt = Excerpt(skeleton.Span);
            body.IsJson = false;
            body.IsHtml = LooksLikeHtml(skeleton.Span);
            return body;
        }

        using (document)
        {
            var reader = new Reader(body, images);
            reader.ReadRoot(document.RootElement);
            body.Text = reader.Text is { Length: > 0 } text ? text.ToString().Trim() : null;
        }

        // The excerpt is for failure messages; an answer with its images and no error never needs one.
        if (body.Images.Count == 0 || body.Error is not null || body.InvalidImage is not null)
        {
            body.Excerpt = Excerpt(skeleton.Span);
        }

        return body;
    }

    /// <summary>Reads a Google <c>Duration</c> such as <c>15s</c>, <c>0.5s</c> or <c>1e9s</c>, clamped to a sane bound.</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var number = text.Trim().TrimEnd('s', 'S');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || double.IsNaN(seconds) || seconds < 0)
        {
            return null;
        }

        return seconds >= OptionsDefaults.LongestHint.TotalSeconds ? OptionsDefaults.LongestHint : TimeSpan.FromSeconds(seconds);
    }

    public static string Excerpt(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return string.Empty;
        }

        var take = body[..Math.Min(body.Length, OptionsDefaults.BodyExcerptChars * 2)];
        var text = Encoding.UTF8.GetString(take);
        return text.Length > OptionsDefaults.BodyExcerptChars ? text[..OptionsDefaults.BodyExcerptChars] + "…" : text;
    }

    private static bool LooksLikeHtml(ReadOnlySpan<byte> body)
    {
        var start = body.TrimStart(" \t\r\n"u8);
        return start.StartsWith("<"u8) && (start.IndexOf("<html"u8) >= 0 || start.IndexOf("<HTML"u8) >= 0 || start.StartsWith("<!"u8));
    }

    /// <summary>The number of the first placeholder in <paramref name="reference"/> (what the regex below matches, without a match object).</summary>
    private static int? PlaceholderIndex(string reference)
    {
        var at = reference.IndexOf(ResponseScanner.PlaceholderPrefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var digits = reference.AsSpan(at + ResponseScanner.PlaceholderPrefix.Length);
        var length = digits.IndexOfAnyExceptInRange('0', '9');
        return int.TryParse(length < 0 ? digits : digits[..length], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    [GeneratedRegex(@"nb-image-ref:(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"!\[[^\]]*\]\(\s*([^)\s]+)\s*\)", RegexOptions.CultureInvariant)]
    private static partial Regex MarkdownImagePattern();

    [GeneratedRegex(@"retry in ([0-9]+(?:\.[0-9]+)?)\s*s", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex RetryInTextPattern();

    private sealed class Reader(ParsedBody body, IReadOnlyList<DecodedImage> decoded)
    {
        /// <summary>Gets the answer's text, created on its first words (most image answers have none).</summary>
        public StringBuilder? Text { get; private set; }

        public void ReadRoot(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                // Google's OpenAI endpoint wraps errors in an array; a stream read as chunks is an array too.
                foreach (var item in element.EnumerateArray())
                {
                    ReadRoot(item);
                }

                return;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (element.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String)
            {
                body.Error ??= ReadError(error);
            }

            body.Model ??= String(element, "model") ?? String(element, "modelVersion");
            body.ResponseId ??= String(element, "id") ?? String(element, "responseId");
            if (element.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    ReadChoice(choice);
                }
            }

            if (element.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
            {
                foreach (var candidate in candidates.EnumerateArray())
                {
                    SetFinishReason(String(candidate, "finishReason"));
                    if (candidate.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts))
                    {
                        ReadParts(parts);
                    }
                }
            }

            if (element.TryGetProperty("promptFeedback", out var feedback) && feedback.ValueKind == JsonValueKind.Object)
            {
                body.BlockReason ??= String(feedback, "blockReason");
            }

            if (element.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in data.EnumerateArray())
                {
                    ReadImageValue(item, thought: false);
                }
            }

            ReadUsage(element);
        }

        private void ReadChoice(JsonElement choice)
        {
            if (choice.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            SetFinishReason(String(choice, "finish_reason"));
            SetFinishReason(String(choice, "native_finish_reason"));
            if (choice.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                body.Error ??= ReadError(error);
            }

            var message = choice.TryGetProperty("message", out var m) ? m : choice.TryGetProperty("delta", out var d) ? d : default;
            if (message.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (message.TryGetProperty("content_blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array)
            {
                body.HasContentBlocks = true;
                ReadContentBlocks(blocks);
            }
            else if (message.TryGetProperty("content", out var content))
            {
                if (content.ValueKind == JsonValueKind.String)
                {
                    ReadMarkdown(content.GetString()!);
                }
                else if (content.ValueKind == JsonValueKind.Array)
                {
                    ReadParts(content);
                }
            }

            if (message.TryGetProperty("images", out var images) && images.ValueKind == JsonValueKind.Array)
            {
                foreach (var image in images.EnumerateArray())
                {
                    ReadImageValue(image, thought: false);
                }
            }
        }

        /// <summary>
        /// Portkey (with strict OpenAI compliance off) lists every part of Gemini's answer here, and also copies the
        /// text into <c>content</c>, which is therefore not read again. It keeps thought text apart (<c>thinking</c>
        /// blocks) but drops the flag of thought images, and Gemini sends its interim images before the answer:
        /// so only the last image of the message is the answer.
        /// </summary>
        private void ReadContentBlocks(JsonElement blocks)
        {
            var first = body.Images.Count;
            ReadParts(blocks);
            var found = body.Images.Count - first;
            if (found > 1)
            {
                body.Images.RemoveRange(first, found - 1);
            }
        }

        private void ReadParts(JsonElement parts)
        {
            if (parts.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            foreach (var part in parts.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.String)
                {
                    ReadMarkdown(part.GetString()!);
                    continue;
                }

                if (part.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                // Gemini 3 sends interim "thought" images before the answer; only the answer counts. Gateways that
                // translate thoughts give them a type of their own instead of the flag.
                var type = String(part, "type");
                var thought = (part.TryGetProperty("thought", out var t) && t.ValueKind == JsonValueKind.True)
                    || type is "thinking" or "redacted_thinking" or "reasoning";
                if (part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    if (thought)
                    {
                        continue;
                    }

                    ReadMarkdown(text.GetString()!);
                }

                ReadImageValue(part, thought, isImage: type is not null && ImagePartTypes.Contains(type));
            }
        }

        /// <summary>Finds an image in any of the spellings gateways use for one part or item.</summary>
        /// <param name="value">The part, item or value.</param>
        /// <param name="thought">The part is a thought: its image is checked but not kept.</param>
        /// <param name="isImage">The value is known to be an image (a part typed as one, or the value of an image
        /// key), so raw base64 under <c>data</c> counts even without a declared media type; the bytes say which.</param>
        private void ReadImageValue(JsonElement value, bool thought, bool isImage = false)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    AddImageReference(value.GetString()!, null, thought);
                    return;
                case JsonValueKind.Object:
                    break;
                default:
                    return;
            }

            foreach (var name in (ReadOnlySpan<string>)["image_url", "image", "inlineData", "inline_data", "url", "b64_json", "base64"])
            {
                if (value.TryGetProperty(name, out var inner))
                {
                    ReadImageValue(inner, thought, isImage: true);
                }
            }

            // Raw base64 under "data" counts beside a declared media type (Gemini's inlineData) or inside a value
            // known to be an image; elsewhere "data" is too common a name to be trusted.
            var mediaType = String(value, "mimeType") ?? String(value, "mime_type") ?? String(value, "media_type");
            if ((mediaType is not null || isImage) && value.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
            {
                AddImageReference(data.GetString()!, mediaType, thought);
            }
        }

        private void AddImageReference(string reference, string? declaredMediaType, bool thought)
        {
            if (PlaceholderIndex(reference) is { } index)
            {
                AddDecoded(index, declaredMediaType, thought);
                return;
            }

            if (!thought && Uri.TryCreate(reference.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
            {
                body.Images.Add(new ResponseImage(ReadOnlyMemory<byte>.Empty, declaredMediaType, url));
            }
        }

        private void AddDecoded(int index, string? declaredMediaType, bool thought)
        {
            if (index < 0 || index >= decoded.Count)
            {
                return;
            }

            var image = decoded[index];
            if (image.Invalid)
            {
                body.InvalidImage ??= "an image's base64 is invalid";
                return;
            }

            // Read once, here: the result builder takes the media type and size from this.
            var info = ImageInfo.Read(image.Data.Span);
            if (info.MediaType is null)
            {
                body.InvalidImage ??= $"an image's bytes are not PNG, JPEG, WebP or GIF (they start {ImageInfo.DescribeStart(image.Data.Span)})";
                return;
            }

            if (!thought)
            {
                body.Images.Add(new ResponseImage(image.Data, image.DeclaredMediaType ?? declaredMediaType, null, info));
            }
        }

        /// <summary>Reads text that may hold Markdown images (data URLs already replaced by placeholders, or https links).</summary>
        private void ReadMarkdown(string content)
        {
            if (string.IsNullOrWhiteSpace(content))
            {
                return;
            }

            var rest = MarkdownImagePattern().Replace(content, match =>
            {
                AddImageReference(match.Groups[1].Value, null, thought: false);
                return string.Empty;
            });

            // A bare data URL (no Markdown around it) is an image too.
            rest = PlaceholderPattern().Replace(rest, match =>
            {
                AddImageReference(match.Value, null, thought: false);
                return string.Empty;
            });

            if (!string.IsNullOrWhiteSpace(rest))
            {
                Text ??= new StringBuilder();
                if (Text.Length > 0)
                {
                    Text.Append(' ');
                }

                Text.Append(rest.Trim());
            }
        }

        private void SetFinishReason(string? reason)
        {
            // Prefer the provider's own word (IMAGE_SAFETY) over a gateway's generic one (stop).
            if (string.IsNullOrEmpty(reason))
            {
                return;
            }

            if (body.FinishReason is null || body.FinishReason.Equals("stop", StringComparison.OrdinalIgnoreCase))
            {
                body.FinishReason = reason;
            }
        }

        private void ReadUsage(JsonElement element)
        {
            if (element.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                var details = usage.TryGetProperty("completion_tokens_details", out var d) ? d : default;
                body.Usage = new NanoBananaUsage(
                    Int(usage, "prompt_tokens"),
                    Int(usage, "completion_tokens"),
                    Int(usage, "total_tokens"),
                    details.ValueKind == JsonValueKind.Object ? Int(details, "image_tokens") : null,
                    usage.TryGetProperty("cost", out var cost) && cost.ValueKind == JsonValueKind.Number && cost.TryGetDecimal(out var c) ? c : null);
            }
            else if (element.TryGetProperty("usageMetadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                int? imageTokens = null;
                if (metadata.TryGetProperty("candidatesTokensDetails", out var details) && details.ValueKind == JsonValueKind.Array)
                {
                    foreach (var detail in details.EnumerateArray())
                    {
                        if (String(detail, "modality") == "IMAGE")
                        {
                            imageTokens = (imageTokens ?? 0) + (Int(detail, "tokenCount") ?? 0);
                        }
                    }
                }

                body.Usage = new NanoBananaUsage(Int(metadata, "promptTokenCount"), Int(metadata, "candidatesTokenCount"), Int(metadata, "totalTokenCount"), imageTokens, null);
            }
        }

        private static ProviderError ReadError(JsonElement error)
        {
            var result = new ProviderError();
            var text = new StringBuilder();
            MergeError(result, error, text, depth: 0);
            result.AllText = text.ToString();
            if (result.RetryDelay is null)
            {
                var retryIn = RetryInTextPattern().Match(result.AllText);
                if (retryIn.Success)
                {
                    result.RetryDelay = ParseDuration(retryIn.Groups[1].Value);
                }
            }

            return result;
        }

        private static void MergeError(ProviderError result, JsonElement error, StringBuilder text, int depth)
        {
            if (depth > 4)
            {
                return;
            }

            if (error.ValueKind == JsonValueKind.String)
            {
                MergeText(result, error.GetString()!, text, depth);
                return;
            }

            if (error.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in error.EnumerateArray())
                {
                    MergeError(result, item, text, depth + 1);
                }

                return;
            }

            if (error.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (error.TryGetProperty("error", out var nested))
            {
                MergeError(result, nested, text, depth + 1);
            }

            if (error.TryGetProperty("code", out var code))
            {
                if (code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var number))
                {
                    result.Code ??= number;
                }
                else if (code.ValueKind == JsonValueKind.String)
                {
                    var codeText = code.GetString()!;
                    if (int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                    {
                        result.Code ??= parsed;
                    }
                    else
                    {
                        result.CodeText ??= codeText;
                    }
                }
            }

            result.Status ??= String(error, "status");
            result.Type ??= String(error, "type");
            if (String(error, "status") is { } status)
            {
                text.Append(status).Append(' ');
            }

            if (String(error, "message") is { } message)
            {
                MergeText(result, message, text, depth);
            }

            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray())
                {
                    ReadDetail(result, detail);
                }
            }

            // Portkey answers a prompt Google blocked (no candidates, only promptFeedback) with an error whose message
            // embeds Google's body: the block reason is the cause, not a server failure.
            if (error.TryGetProperty("promptFeedback", out var feedback) && String(feedback, "blockReason") is { } blockReason)
            {
                result.Reasons.Add(blockReason);
            }

            if (error.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                result.ProviderName ??= String(metadata, "provider_name");
                if (metadata.TryGetProperty("raw", out var raw))
                {
                    MergeError(result, raw, text, depth + 1);
                }
            }
        }

        /// <summary>Message text may embed the upstream's JSON (LiteLLM, OpenRouter's raw): read it too.</summary>
        private static void MergeText(ProviderError result, string message, StringBuilder text, int depth)
        {
            result.Message ??= message;
            text.Append(message).Append(' ');
            var open = message.IndexOfAny(['{', '[']);
            var close = message.LastIndexOfAny(['}', ']']);
            if (open < 0 || close <= open)
            {
                return;
            }

            try
            {
                using var embedded = JsonDocument.Parse(message.AsMemory(open, close - open + 1), DocumentOptions);
                MergeError(result, embedded.RootElement, text, depth + 1);
            }
            catch (JsonException)
            {
                // Prose with braces, not JSON: the words are already kept.
            }
        }

        private static void ReadDetail(ProviderError result, JsonElement detail)
        {
            var type = String(detail, "@type") ?? string.Empty;
            if (type.EndsWith("ErrorInfo", StringComparison.Ordinal) && String(detail, "reason") is { } reason)
            {
                result.Reasons.Add(reason);
            }
            else if (type.EndsWith("RetryInfo", StringComparison.Ordinal))
            {
                result.RetryDelay ??= ParseDuration(String(detail, "retryDelay"));
            }
            else if (type.EndsWith("QuotaFailure", StringComparison.Ordinal) && detail.TryGetProperty("violations", out var violations) && violations.ValueKind == JsonValueKind.Array)
            {
                foreach (var violation in violations.EnumerateArray())
                {
                    if (String(violation, "quotaId") is { } quotaId)
                    {
                        result.QuotaIds.Add(quotaId);
                    }
                }
            }
        }

        private static string? String(JsonElement element, string name)
            => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static int? Int(JsonElement element, string name)
            => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
    }
}
