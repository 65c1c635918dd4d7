namespace NanoBanana.Cli.Tests.TestSupport;

/// <summary>The simulated day the commands' gateways stand still on; profiles with a certain outcome are in <c>CertainModels</c>.</summary>
internal static class Worlds
{
    /// <summary>A Monday at midnight UTC: the simulated day the gateways stand still on.</summary>
    public static readonly DateTimeOffset Monday = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
}
