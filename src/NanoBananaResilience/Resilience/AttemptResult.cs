namespace NanoBananaResilience;

/// <summary>One attempt's outcome as the pipeline sees it: classified, with the body's content when it had some.</summary>
internal sealed class AttemptResult(Classification classification, int? statusCode, ParsedBody body, TimeSpan elapsed)
{
    public Classification Classification { get; } = classification;

    public AttemptOutcome Outcome => Classification.Outcome;

    public int? StatusCode { get; } = statusCode;

    public ParsedBody Body { get; } = body;

    public TimeSpan Elapsed { get; } = elapsed;
}
