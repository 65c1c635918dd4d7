using NanoBananaResilience.Tests.Hostile;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Download;

/// <summary>
/// An answer that points at an image on 127.0.0.1 — what a hostile gateway would send to make the client reach
/// into its own network. Off by default nothing is fetched; on, the address is refused and no connection
/// reaches the target.
/// </summary>
public sealed class ImageDownloadClientTests : IAsyncLifetime
{
    private readonly RawHttpServer _gateway = new();
    private readonly RawHttpServer _target = new();

    public ValueTask InitializeAsync()
    {
        var answer = $$$"""{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"![image](https://127.0.0.1:{{{_target.Port}}}/image.jpg)"}}]}""";
        _gateway.On(Harness.Nb2, x => x.RespondAsync(200, answer));
        _target.On(string.Empty, HostileAnswers.Image);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _target.DisposeAsync();
    }

    [Fact]
    public async Task GenerateAsync_ImageAddressWithDownloadOff_ReturnsTheAddressAndFetchesNothing()
    {
        using var client = new HostileClient(_gateway.BaseAddress);

        var result = await client.GenerateAsync().WaitAsync(HostileClient.Guard, TestContext.Current.CancellationToken);

        Assert.True(result.Image.Data.IsEmpty);
        Assert.Equal(new Uri($"https://127.0.0.1:{_target.Port}/image.jpg"), result.Image.Url);
        Assert.Equal(0, _target.Connections);
    }

    [Fact]
    public async Task GenerateAsync_LoopbackImageAddressWithDownloadOn_ProtocolErrorAndNoConnectionToTheTarget()
    {
        using var client = new HostileClient(_gateway.BaseAddress, o => o.ImageDownload.Enabled = true);

        var error = await client.FailAsync();

        Assert.Equal(AttemptOutcome.ProtocolError, error.Outcome);
        Assert.Equal(Harness.Nb2, error.Model);
        Assert.Contains("not public", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _target.Connections);
    }
}
