namespace NanoBanana.WebApi;

/// <summary>The body of <c>POST /images</c>.</summary>
/// <param name="Prompt">What to draw.</param>
/// <param name="Size">0.5K, 1K, 2K or 4K; the model's default when absent.</param>
/// <param name="AspectRatio">W:H, for example 16:9; the model's default when absent.</param>
public sealed record ImageRequest(string? Prompt, string? Size = null, string? AspectRatio = null);

/// <summary>One model in <c>GET /health</c>.</summary>
/// <param name="Model">The model id.</param>
/// <param name="Breaker">Closed, Open, HalfOpen or Isolated.</param>
/// <param name="RestingUntil">When it may be tried again, if it is resting.</param>
public sealed record ModelHealth(string Model, string Breaker, DateTimeOffset? RestingUntil);

/// <summary>The answer of <c>GET /health</c>.</summary>
/// <param name="Status">Healthy when at least one model is available, else Degraded.</param>
/// <param name="Models">Each model's state.</param>
public sealed record HealthReport(string Status, IReadOnlyList<ModelHealth> Models);
