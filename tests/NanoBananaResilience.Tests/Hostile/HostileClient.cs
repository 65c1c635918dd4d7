using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Hostile;

/// <summary>
/// A client aimed at a <see cref="RawHttpServer"/> through a <see cref="DisposalCountingHandler"/>, on a fake clock
/// that only the test moves: a call that ends without the clock moving provably waited for nothing.
/// </summary>
internal sealed class HostileClient : IDisposable
{
    /// <summary>A real bound on each await: a hang guard that fails the test, never a speed check.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    public HostileClient(Uri baseAddress, Action<NanoBananaOptions>? configure = null, SocketsHttpHandler? transport = null, ILoggerFactory? loggerFactory = null)
    {
        Options = new NanoBananaOptions { BaseAddress = baseAddress, ApiKey = Harness.ApiKey };
        Options.PeakHours.Enabled = false;
        Options.Models.Add(new ModelOptions { Id = Harness.Nb2, MaxAttempts = 1 });
        Options.Models.Add(new ModelOptions { Id = Harness.Pro, MaxAttempts = 1 });
        Options.AttemptTimeout = TimeSpan.FromSeconds(30);
        configure?.Invoke(Options);
        Counter = new DisposalCountingHandler(transport ?? new SocketsHttpHandler { AllowAutoRedirect = false });
        Http = new HttpClient(Counter) { Timeout = Timeout.InfiniteTimeSpan };
        Client = NanoBananaClient.Create(Http, Options, Time, loggerFactory);
    }

    public NanoBananaOptions Options { get; }

    public FakeTimeProvider Time { get; } = new(Harness.OffPeak);

    public DisposalCountingHandler Counter { get; }

    public HttpClient Http { get; }

    public NanoBananaClient Client { get; }

    /// <summary>Starts a call under the test's own token.</summary>
    public Task<NanoBananaResult> GenerateAsync() => Client.GenerateAsync("a cat in a spacesuit", TestContext.Current.CancellationToken);

    public Task<NanoBananaResult> GenerateWithTokenAsync(CancellationToken cancellationToken) => Client.GenerateAsync("a cat in a spacesuit", cancellationToken);

    public async Task<NanoBananaException> FailAsync()
        => await Assert.ThrowsAsync<NanoBananaException>(() => GenerateAsync().WaitAsync(Guard, TestContext.Current.CancellationToken));

    /// <summary>Polls (real time, bounded by <see cref="Guard"/>) until a condition holds, without moving the fake clock.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting until {what}");
            await Task.Delay(5);
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        Http.Dispose();
    }
}
