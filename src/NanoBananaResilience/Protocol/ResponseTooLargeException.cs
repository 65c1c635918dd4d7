namespace NanoBananaResilience;

/// <summary>Raised inside the reader when a body passes a size cap; the attempt becomes <see cref="AttemptOutcome.ResponseTooLarge"/>.</summary>
internal sealed class ResponseTooLargeException(string message) : Exception(message)
{
    public ResponseTooLargeException()
        : this("The response is too large.")
    {
    }

    public ResponseTooLargeException(string message, Exception innerException)
        : this(message) => _ = innerException;
}
