using NanoBananaResilience.TestSupport.Shared;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Cli.Tests.TestSupport;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Tests;

/// <summary>
/// <c>nanobanana batch</c> as a user runs it, against the simulated gateway served by Kestrel on 127.0.0.1 with
/// Nano Banana 2 down for the whole run and Pro up: real sockets and the real clock on the client's side, backoff in
/// milliseconds and no simulated latency, so the run takes well under a second.
/// </summary>
public sealed class BatchCommandTests : IAsyncLifetime
{
    private readonly SimulatedGeminiServer _server = new(new SimulatedGeminiOptions
    {
        Seed = 7,
        LatencyScale = 0,
        RequestLogCapacity = 10_000,
        RequiredApiKey = ApiKey,
        Models =
        {
            [SimulatedModels.NanoBanana2] = CertainModels.DownAllDay(),
            [SimulatedModels.NanoBananaPro] = CertainModels.UpAllDay(),
        },
    },
    new FakeTimeProvider(Worlds.Monday.AddHours(3))); // the gateway's world stands still: its state cannot depend on when the test runs

    private const string ApiKey = "cli-batch-test-key";

    private string _apiKey = ApiKey;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nanobanana-cli-batch-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Token => Tool.Token;

    public async ValueTask InitializeAsync()
    {
        await _server.StartAsync(Token);
        Directory.CreateDirectory(_folder);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Batch_OneModelDownAllRun_CompletesAndCountsTheRequestsEachModelGot()
    {
        var prompts = await WritePromptsAsync(40);

        var (exit, report, _) = await RunAsync(prompts, "--concurrency", "4", "--json");

        Assert.Equal(0, exit);
        Assert.Equal(40, report.GetProperty("succeeded").GetInt32());
        var statistics = _server.Handler.Statistics;
        var requests = report.GetProperty("requestsPerModel");
        var toNb2 = statistics.GetCount(SimulatedModels.NanoBanana2);
        var toPro = statistics.GetCount(SimulatedModels.NanoBananaPro);
        Assert.Equal(toNb2, requests.TryGetProperty(SimulatedModels.NanoBanana2, out var n) ? n.GetInt32() : 0);
        Assert.Equal(toPro, requests.GetProperty(SimulatedModels.NanoBananaPro).GetInt32());
        Assert.Equal(statistics.TotalRequests, report.GetProperty("requestsSent").GetInt32());
        Assert.True(toNb2 < 40, $"the breaker spares the down model most items; it got {toNb2} requests");
        Assert.Equal(40, Directory.GetFiles(Path.Combine(_folder, "out")).Count(f => !f.EndsWith(".jsonl", StringComparison.Ordinal)));
        TestContext.Current.TestOutputHelper?.WriteLine($"CLI batch of 40, NB2 down: {toNb2} requests to NB2, {toPro} to Pro, share {report.GetProperty("sharePerModel")}");
    }

    [Fact]
    public async Task Batch_RunAgain_SkipsEverythingAndSendsNothing()
    {
        var prompts = await WritePromptsAsync(10);
        _ = await RunAsync(prompts, "--json");
        var sent = _server.Handler.Statistics.TotalRequests;

        var (exit, report, _) = await RunAsync(prompts, "--json");

        Assert.Equal(0, exit);
        Assert.Equal(10, report.GetProperty("skipped").GetInt32());
        Assert.Equal(0, report.GetProperty("requestsSent").GetInt32());
        Assert.Equal(sent, _server.Handler.Statistics.TotalRequests);
    }

    [Fact]
    public async Task Batch_PlainOutput_OneLinePerItemThenTheSummary()
    {
        var prompts = await WritePromptsAsync(3);

        var (exit, _, stdout) = await RunAsync(prompts);

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Count(l => l.Contains(" ok ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("3 images, 0 failed, 0 skipped (of 3)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_OnATerminal_DrawsOneLiveBarThenTheSummary()
    {
        var prompts = await WritePromptsAsync(3);

        var (exit, _, stdout, _) = await RunAsync(prompts, true);

        Assert.Equal(0, exit);
        Assert.StartsWith("\r[", stdout, StringComparison.Ordinal);
        Assert.Contains("] 3/3  ok 3  failed 0  skipped 0", stdout, StringComparison.Ordinal);
        Assert.Contains("\n3 images", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Attempt on", stdout, StringComparison.Ordinal); // the bar, not a line per attempt
    }

    [Fact]
    public async Task Batch_Redirected_PrintsALinePerAttemptAsItHappens()
    {
        // A redirected batch printed nothing until items finished: minutes of silence through an outage.
        var prompts = await WritePromptsAsync(2);

        var (exit, _, stdout, _) = await RunAsync(prompts, false);

        Assert.Equal(0, exit);
        Assert.Contains($"Attempt on {SimulatedModels.NanoBanana2}: Overloaded", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_JsonRedirected_ProgressOnStderrAndOneObjectOnStdout()
    {
        var prompts = await WritePromptsAsync(2);

        var (exit, report, _, stderr) = await RunAsync(prompts, false, "--json");

        Assert.Equal(0, exit);
        Assert.Equal(2, report.GetProperty("succeeded").GetInt32());
        Assert.Contains("Attempt on", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_Cancelled_CountsTheRequestsOnTheWire()
    {
        // A cancelled batch said "0 requests sent" while its requests were at the gateway.
        await using var gateway = new EchoingGateway((_, _) => (200, "{}")) { Stall = true };
        await gateway.StartAsync(Token);
        var prompts = await WritePromptsAsync(2);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var settings = Tool.Settings(gateway.BaseAddress);

        var running = Tool.RunAsync(["batch", prompts, "--out-dir", Path.Combine(_folder, "out"), "--concurrency", "2", "--json"], settings, cancellationToken: cancel.Token);
        while (gateway.Requests.Count < 2)
        {
            await Task.Delay(5, Token);
        }

        await cancel.CancelAsync();
        var run = await running;

        Assert.Equal(130, run.Exit);
        Assert.True(run.Json.GetProperty("cancelled").GetBoolean());
        Assert.Equal(gateway.Requests.Count, run.Json.GetProperty("requestsSent").GetInt32());
    }

    [Fact]
    public async Task Batch_EveryModelUnknown_StopsAtOnceWithExitTwo()
    {
        // It used to retry every item for minutes and exit 4, "service unavailable".
        await using var gateway = new EchoingGateway((model, _) => (404, $$$"""{"error":{"code":404,"message":"models/{{{model}}} is not found","status":"NOT_FOUND"}}"""));
        await gateway.StartAsync(Token);
        var prompts = await WritePromptsAsync(20);

        var run = await Tool.RunAsync(["batch", prompts, "--out-dir", Path.Combine(_folder, "out"), "--concurrency", "2", "--json"], Tool.Settings(gateway.BaseAddress));

        Assert.Equal(2, run.Exit);
        Assert.Equal(20, run.Json.GetProperty("failed").GetInt32());
        Assert.InRange(gateway.Requests.Count, 2, 4); // the items in flight when the first came back, one request per model
        Assert.All(run.Json.GetProperty("failures").EnumerateArray(), f => Assert.Contains("NanoBanana:Models", f.GetProperty("message").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_WrongKey_ExitsFiveAndNeverPrintsTheKey()
    {
        var prompts = await WritePromptsAsync(3);
        _apiKey = "sk-wrong-key-0123456789";

        var (exit, report, stdout, stderr) = await RunAsync(prompts, false, "--json");

        Assert.Equal(5, exit);
        Assert.Equal(3, report.GetProperty("failed").GetInt32());
        Assert.Equal("Unauthorized", report.GetProperty("failures")[0].GetProperty("error").GetString());
        Assert.DoesNotContain(_apiKey, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_apiKey, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_apiKey, await File.ReadAllTextAsync(Path.Combine(_folder, "out", "manifest.jsonl"), Token), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--prefer-off-peak")]
    [InlineData("--deadline", "12h")]
    [InlineData("--prefer-off-peak", "--deadline", "soon")]
    [InlineData("--concurrency", "0")]
    public async Task Batch_BadOptions_ExitTwoBeforeSendingAnything(params string[] options)
    {
        var prompts = await WritePromptsAsync(2);

        var (exit, report, _) = await RunAsync(prompts, [.. options, "--json"]);

        Assert.Equal(2, exit);
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(0, _server.Handler.Statistics.TotalRequests);
    }

    [Theory]
    [InlineData("12h", 12 * 60)]
    [InlineData("90m", 90)]
    [InlineData("1.5d", 36 * 60)]
    [InlineData("01:30:00", 90)]
    public void Duration_UnitsAndTimeSpans_ReadAsMinutes(string value, int minutes)
        => Assert.Equal(TimeSpan.FromMinutes(minutes), BatchCommand.Duration(value));

    [Theory]
    [InlineData("12")] // twelve what? TimeSpan would say days
    [InlineData("0h")]
    [InlineData("soon")]
    public void Duration_NoUnitOrNotPositive_IsAUsageError(string value)
        => Assert.Throws<UsageException>(() => BatchCommand.Duration(value));

    [Fact]
    public async Task Batch_OutDirUnderAFile_ExitsTwoBeforeSendingAnything()
    {
        var prompts = await WritePromptsAsync(2);

        var run = await Tool.RunAsync(["batch", prompts, "--out-dir", Path.Combine(prompts, "out"), "--json"], Tool.Settings(_server.BaseAddress));

        Assert.Equal(2, run.Exit);
        Assert.Contains("--out-dir", run.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _server.Handler.Statistics.TotalRequests);
    }

    [Theory]
    [InlineData(0.5, "00:30:00")]
    [InlineData(26.5, "26:30:00")] // a day and a bit: the days are not dropped
    [InlineData(240, "240:00:00")]
    public void Eta_AnyLength_ShowsEveryHour(double hours, string shown)
        => Assert.Equal(shown, BatchCommand.Eta(TimeSpan.FromHours(hours)));

    [Fact]
    public void Eta_NotKnownYet_ShowsDashes()
        => Assert.Equal("--:--:--", BatchCommand.Eta(null));

    private async Task<string> WritePromptsAsync(int count)
    {
        var path = Path.Combine(_folder, "prompts.txt");
        var lines = new List<string> { "# one prompt a line", string.Empty };
        lines.AddRange(Enumerable.Range(0, count).Select(i => $"a nano banana in a spacesuit, take {i}"));
        await File.WriteAllLinesAsync(path, lines, Token);
        return path;
    }

    private async Task<(int Exit, JsonElement Report, string Stdout)> RunAsync(string prompts, params string[] extra)
    {
        var (exit, report, stdout, _) = await RunAsync(prompts, false, extra);
        return (exit, report, stdout);
    }

    private async Task<(int Exit, JsonElement Report, string Stdout, string Stderr)> RunAsync(string prompts, bool terminal, params string[] extra)
    {
        var settings = Tool.Settings(_server.BaseAddress, _apiKey);
        var run = await Tool.RunAsync(["batch", prompts, "--out-dir", Path.Combine(_folder, "out"), .. extra], settings, terminal);
        return (run.Exit, extra.Contains("--json") ? run.Json : default, run.Out, run.Err);
    }
}
