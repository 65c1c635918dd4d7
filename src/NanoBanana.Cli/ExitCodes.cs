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
        _ when e.IsTransient => Unavailable,
        _ => Other,
    };
}
