using System.Text;
using NanoBanana.Cli.Tests.TestSupport;

namespace NanoBanana.Cli.Tests;

/// <summary><c>nanobanana serve</c>: the simulated gateway on loopback, stopped by the program's Ctrl+C or SIGTERM token.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_PrintsTheBaseAddressServesAndStopsCleanlyWhenCancelled()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Tool.Token);
        var stdout = new StringBuilder();
        using var writer = TextWriter.Synchronized(new StringWriter(stdout));
        var context = new CliContext { Out = writer, Error = TextWriter.Null };
        var serving = NanoBananaCli.RunAsync(["serve", "--latency-scale", "0"], context, stop.Token);
        while (!stdout.ToString().Contains('\n', StringComparison.Ordinal))
        {
            await Task.Delay(5, Tool.Token);
        }

        var line = stdout.ToString().Trim();
        Assert.StartsWith("NanoBanana__BaseAddress=http://127.0.0.1:", line, StringComparison.Ordinal);
        var baseAddress = new Uri(line["NanoBanana__BaseAddress=".Length..]);
        using var http = new HttpClient { BaseAddress = baseAddress };
        using (var answer = await http.PostAsync("chat/completions", new StringContent("""{"model":"gemini-3-pro-image-preview","messages":[{"role":"user","content":"a cat"}]}""", Encoding.UTF8, "application/json"), Tool.Token))
        {
            Assert.True((int)answer.StatusCode is 200 or 429 or 500 or 502 or 503);
        }

        await stop.CancelAsync();

        Assert.Equal(0, await serving.WaitAsync(Tool.Token));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("models", Tool.Token));
    }

    [Fact]
    public async Task Serve_PortTaken_ExitsTwoSayingSo()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var run = await Tool.RunAsync("serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, run.Exit);
        Assert.Contains("is taken", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnknownWorld_ExitsTwoNamingTheWorlds()
    {
        var run = await Tool.RunAsync("serve", "--world", "calm");

        Assert.Equal(2, run.Exit);
        Assert.Contains("--world 'calm' is not one of episodes, partial, noise, shared.", run.Err, StringComparison.Ordinal);
    }
}
