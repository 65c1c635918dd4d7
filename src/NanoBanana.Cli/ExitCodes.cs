using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary>The exit codes of the command-line contract.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Other = 1;
    public const int Usage = 2;
    public const int ContentBlocked = 3;
    public const int Unavailable = 4;
    public const int Unauthorized = 5;
    public const int BudgetExceeded = 6;
    public const int Cancelled = 130;

    public static int For(NanoBananaException e) => e.Outcome switch
    {
        AttemptOutcome.ContentBlocked => ContentBlocked,
        AttemptOutcome.BudgetExceeded => BudgetExceeded,
        AttemptOutcome.Unauthorized or AttemptOutcome.PaymentRequired => Unauthorized,
        _ when e.IsUnknownModels => Usage, // every configured id is wrong for this gateway: a configuration error
        _ when e.IsTransient => Unavailable,
        _ => Other,
    };

    /// <summary>What to tell a user whose gateway knows none of the configured models: the ids, its words, the fix.</summary>
    public static string UnknownModels(NanoBananaException e)
    {
        var tried = e.Attempts.Where(a => a.Outcome == AttemptOutcome.ModelNotFound)
            .GroupBy(a => a.Model, StringComparer.Ordinal)
            .Select(g => $"  {g.Key}: {g.First().Detail ?? "404"}");
        return "The gateway knows none of the configured models:" + Environment.NewLine
            + string.Join(Environment.NewLine, tried) + Environment.NewLine
            + "Set NanoBanana:Models to ids this gateway serves, such as NanoBanana__Models__0__Id=gemini-3.1-flash-image-preview "
            + "(Google and most resellers) or google/gemini-3.1-flash-image-preview (OpenRouter).";
    }
}
