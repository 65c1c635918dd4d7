namespace NanoBananaResilience.Testing.Internal;

/// <summary>The per-request values a 200 body is filled with.</summary>
internal readonly record struct AnswerContext(
    string RequestedModel,
    string ModelId,
    string ResponseId,
    long Created,
    byte[] Image,
    string MediaType,
    int PromptTokens,
    int ImageTokens,
    double InputTokenPrice,
    double ImageTokenPrice);
