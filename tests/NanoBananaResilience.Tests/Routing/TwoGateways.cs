using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Routing;

/// <summary>
/// A client with two named gateways over scripted handlers and a fake clock, off-peak: <c>primary</c> at
/// <c>primary.test</c>, then <c>backup</c> at <c>backup.test</c>, each with a key of its own.
/// </summary>
internal sealed class TwoGateways : IDisposable
{
    public const string PrimaryKey = "sk-primary-0123456789-secret";
    public const string BackupKey = "sk-backup-9876543210-secret";

    private TwoGateways(Action<NanoBananaOptions>? configure, Func<double> random)
    {
        Options = new NanoBananaOptions();
        Options.Gateways.Add(new GatewayOptions { Name = "primary", BaseAddress = new Uri("https://primary.test/v1/"), ApiKey = PrimaryKey });
        Options.Gateways.Add(new GatewayOptions { Name = "backup", BaseAddress = new Uri("https://backup.test/v1/"), ApiKey = BackupKey });
        configure?.Invoke(Options);
        Time = new DrivenClock(Harness.OffPeak);
        Http = new HttpClient(new HostRouter(new Dictionary<string, ScriptedHandler> { ["primary.test"] = Primary, ["backup.test"] = Backup })) { Timeout = Timeout.InfiniteTimeSpan };
        Engine = new NanoBananaEngine(Options, Time, random: random);
        Client = new NanoBananaClient(Http, Engine);
    }

    public NanoBananaOptions Options { get; }

    public ScriptedHandler Primary { get; } = new();

    public ScriptedHandler Backup { get; } = new();

    public DrivenClock Time { get; }

    public HttpClient Http { get; }

    public NanoBananaEngine Engine { get; }

    public NanoBananaClient Client { get; }

    public static TwoGateways Create(Action<NanoBananaOptions>? configure = null, Func<double>? random = null)
        => new(configure, random ?? (() => 0.0));

    public Task<NanoBananaResult> GenerateAsync(string prompt = "a cat in a spacesuit")
        => Time.DriveAsync(Client.GenerateAsync(prompt, TestContext.Current.CancellationToken));

    /// <summary>A call driven to its end from synchronous code (the property tests).</summary>
    public NanoBananaResult Generate() => Time.Drive(Client.GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken));

    public void Dispose()
    {
        Engine.Dispose();
        Http.Dispose();
    }
}
