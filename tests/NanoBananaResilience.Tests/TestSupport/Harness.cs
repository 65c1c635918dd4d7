namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>A client over a scripted endpoint and a fake clock, off-peak unless told otherwise.</summary>
internal sealed class Harness : IDisposable
{
    public const string Nb2 = NanoBananaModels.NanoBanana2;
    public const string Pro = NanoBananaModels.NanoBananaPro;
    public const string ApiKey = "sk-test-0123456789-secret";
    private const string DefaultPrompt = "a cat in a spacesuit";

    /// <summary>02:00 UTC on a Monday: outside the default peak window.</summary>
    public static readonly DateTimeOffset OffPeak = new(2025, 3, 3, 2, 0, 0, TimeSpan.Zero);

    private Harness(NanoBananaOptions options, DateTimeOffset start, Func<double> random)
    {
        Options = options;
        Time = new DrivenClock(start);
        Http = new HttpClient(Handler) { Timeout = Timeout.InfiniteTimeSpan };
        Engine = new NanoBananaEngine(options, Time, random: random);
        Client = new NanoBananaClient(Http, Engine);
    }

    public NanoBananaOptions Options { get; }

    public DrivenClock Time { get; }

    public ScriptedHandler Handler { get; } = new();

    public HttpClient Http { get; }

    public NanoBananaEngine Engine { get; }

    public NanoBananaClient Client { get; }

    public static NanoBananaOptions ValidOptions(Action<NanoBananaOptions>? configure = null)
    {
        var options = new NanoBananaOptions { BaseAddress = new Uri("https://gateway.test/api/v1/"), ApiKey = ApiKey };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Creates a harness; jitter draws 0.0 (half of the exponential delay) unless <paramref name="random"/> says otherwise.</summary>
    public static Harness Create(Action<NanoBananaOptions>? configure = null, DateTimeOffset? start = null, Func<double>? random = null)
        => new(ValidOptions(configure), start ?? OffPeak, random ?? (() => 0.0));

    /// <summary>Starts a call and drives the fake clock until it ends.</summary>
    public Task<NanoBananaResult> GenerateAsync(string prompt = DefaultPrompt, TimeSpan? step = null)
        => Time.DriveAsync(Client.GenerateAsync(prompt, TestContext.Current.CancellationToken), step);

    /// <summary><see cref="GenerateAsync"/> for a test that cannot await.</summary>
    public NanoBananaResult Generate() => Time.Drive(Client.GenerateAsync(DefaultPrompt, TestContext.Current.CancellationToken));

    /// <summary>Starts a call that must fail and returns its exception.</summary>
    public async Task<NanoBananaException> FailAsync(string prompt = DefaultPrompt, TimeSpan? step = null)
        => await Assert.ThrowsAsync<NanoBananaException>(() => GenerateAsync(prompt, step));

    public void Dispose()
    {
        Engine.Dispose();
        Http.Dispose();
    }
}
