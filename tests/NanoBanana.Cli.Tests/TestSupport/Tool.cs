using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace NanoBanana.Cli.Tests.TestSupport;

/// <summary>The tool run in-process as a user types it, with its configuration and streams in the test's hands.</summary>
internal static class Tool
{
    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Settings for a gateway on loopback: the real clock, so backoff in milliseconds and no peak reversal.</summary>
    public static Dictionary<string, string?> Settings(Uri baseAddress, string apiKey = "sk-test-0123456789-secret") => new()
    {
        ["NanoBanana:BaseAddress"] = baseAddress.ToString(),
        ["NanoBanana:ApiKey"] = apiKey,
        ["NanoBanana:PeakHours:Enabled"] = "false",
        ["NanoBanana:Retry:BaseDelay"] = "00:00:00.002",
        ["NanoBanana:Retry:MaxDelay"] = "00:00:00.010",
    };

    public static Task<Run> RunAsync(params string[] args) => RunAsync(args, null);

    public static async Task<Run> RunAsync(IReadOnlyList<string> args, IDictionary<string, string?>? settings, bool terminal = false, string? logDirectory = null, CancellationToken? cancellationToken = null, IConfiguration? configuration = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CliContext
        {
            Out = TextWriter.Synchronized(stdout),
            Error = TextWriter.Synchronized(stderr),
            OutIsTerminal = terminal,
            ErrorIsTerminal = terminal,
            LoadConfiguration = () => configuration ?? new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build(),
            LogDirectory = logDirectory ?? Path.GetTempPath(),
        };
        var exit = await NanoBananaCli.RunAsync(args, context, cancellationToken ?? Token);
        return new Run(exit, stdout.ToString(), stderr.ToString());
    }
}

internal sealed record Run(int Exit, string Out, string Err)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement.Clone();

    public string All => Out + Err;
}
