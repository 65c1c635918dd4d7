using System.Net;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Hostile;

/// <summary>
/// A gzip body that inflates to 64 MiB, read by a client whose transport does decompress (a user's own handler
/// may turn it on; the registered one does not): the cap applies to the inflated bytes, so the answer is
/// refused as too large after about the cap, and the process allocates a small fraction of the inflated size.
/// </summary>
[Collection(nameof(Measured))]
public sealed class DecompressionTests : IAsyncLifetime
{
    private const int Inflated = 64 * 1024 * 1024;
    private const int Cap = 1024 * 1024;

    private readonly RawHttpServer _server = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GzipInflatingPastTheCap_WithDecompressionOn_ResponseTooLargeAndBoundedAllocation()
    {
        var bomb = HostileAnswers.GzipBomb(Inflated);
        _server.On(Harness.Nb2, x => x.RespondAsync(200, bomb, "application/json", "Content-Encoding: gzip")).On(Harness.Pro, HostileAnswers.Image);
        using var client = new HostileClient(
            _server.BaseAddress,
            o => o.MaxImageBytes = Cap,
            new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All });

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await client.GenerateAsync().WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(AttemptOutcome.ResponseTooLarge, result.Attempts[0].Outcome);
        Assert.Equal(Harness.Pro, result.Model);
        TestContext.Current.TestOutputHelper?.WriteLine($"gzip {bomb.Length:N0} bytes inflating to {Inflated:N0}; cap {Cap:N0}; allocated during the call {allocated:N0} bytes");
        Assert.True(allocated < 16L * 1024 * 1024, $"allocated {allocated:N0} bytes for a body inflating to {Inflated:N0}");
        client.Counter.AssertEveryResponseDisposed();
        await _server.AssertAllConnectionsClosedAsync();
    }
}
