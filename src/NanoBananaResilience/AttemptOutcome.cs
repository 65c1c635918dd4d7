namespace NanoBananaResilience;

/// <summary>The class of one attempt's outcome, which decides what happens next (see the README's table).</summary>
public enum AttemptOutcome
{
    /// <summary>An image came back.</summary>
    Success,

    /// <summary>503, "high demand", "overloaded" (also inside a 200 body): retried with backoff, then the next model.</summary>
    Overloaded,

    /// <summary>500, 502, 504, an HTML gateway page or a broken connection: retried with backoff, then the next model.</summary>
    ServerError,

    /// <summary>429 per-minute limit: the next model now; this one cools down for the hinted time.</summary>
    RateLimited,

    /// <summary>429 daily quota (or a hint too long to wait): the next model; this one stays off until the hint passes.</summary>
    QuotaExhausted,

    /// <summary>The attempt ran out of time: the next model.</summary>
    Timeout,

    /// <summary>The model's breaker was open, so no request was sent: the next model.</summary>
    CircuitOpen,

    /// <summary>A 200 without any image (text only, NO_IMAGE): the next model.</summary>
    NoImage,

    /// <summary>A safety block: the call stops, since another model would block the prompt too.</summary>
    ContentBlocked,

    /// <summary>401, 403 or an invalid API key: the call stops.</summary>
    Unauthorized,

    /// <summary>402, out of credit: the call stops.</summary>
    PaymentRequired,

    /// <summary>Another 4xx: the call stops, since the request itself is wrong.</summary>
    BadRequest,

    /// <summary>404 for the model: the next model.</summary>
    ModelNotFound,

    /// <summary>A body that is not the JSON it claims, or invalid base64: retried once, then the next model.</summary>
    ProtocolError,

    /// <summary>The response's images exceed <see cref="NanoBananaOptions.MaxImageBytes"/>: the next model.</summary>
    ResponseTooLarge,

    /// <summary>The caller cancelled.</summary>
    Cancelled,

    /// <summary>
    /// The model's price would pass <see cref="NanoBananaOptions.Budget"/>, so no request was sent: the next model;
    /// when it ends the call, no model fitted the budget.
    /// </summary>
    BudgetExceeded,
}
