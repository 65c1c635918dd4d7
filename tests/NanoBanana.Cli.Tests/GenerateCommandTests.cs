using NanoBananaResilience.TestSupport.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Cli.Tests.TestSupport;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Tests;

/// <summary><c>nanobanana generate</c> in-process, against gateways on 127.0.0.1.</summary>
public sealed class GenerateCommandTests : IAsyncLifetime
{
    private const string ApiKey = "sk-test-0123456789-secret";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nanobanana-cli-generate-" + Guid.NewGuid().ToString("N"));

    // JPEG answers, as Nano Banana 2 and Pro give; both models up.
    private readonly SimulatedGeminiServer _server = new(
        new SimulatedGeminiOptions
        {
            LatencyScale = 0,
            Models = { [SimulatedModels.NanoBanana2] = CertainModels.UpAllDay(), [SimulatedModels.NanoBananaPro] = CertainModels.UpAllDay() },
        },
        new FakeTimeProvider(Worlds.Monday.AddHours(3)));

    private static CancellationToken Token => Tool.Token;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await _server.StartAsync(Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Generate_PngAskedJpegReceived_WritesJpgSaysSoAndJsonNamesIt()
    {
        var asked = Path.Combine(_folder, "cat.png");

        var text = await Tool.RunAsync(["generate", "a cat", "--out", asked], Tool.Settings(_server.BaseAddress));
        var json = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "dog.png"), "--json"], Tool.Settings(_server.BaseAddress));

        Assert.Equal(0, text.Exit);
        Assert.True(File.Exists(Path.Combine(_folder, "cat.jpg")));
        Assert.False(File.Exists(asked));
        Assert.Contains("saved as cat.jpg, not cat.png", text.Out, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_folder, "dog.jpg"), json.Json.GetProperty("files")[0].GetString());
        Assert.Equal("image/jpeg", json.Json.GetProperty("mediaType").GetString());
    }

    [Theory]
    [InlineData("no-such-folder/cat.png")]
    [InlineData("")] // the folder itself
    public async Task Generate_OutUnwritable_ExitsTwoBeforeAnythingIsSent(string relative)
    {
        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, relative), "--json"], Tool.Settings(_server.BaseAddress));

        Assert.Equal(2, run.Exit);
        Assert.Contains("--out", run.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _server.Handler.Statistics.TotalRequests);
    }

    [Fact]
    public async Task Generate_Redirected_PrintsALinePerAttemptOnStdout()
    {
        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg")], Tool.Settings(_server.BaseAddress));

        Assert.Equal(0, run.Exit);
        Assert.Contains("Attempt on gemini-3.1-flash-image-preview: Success", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_Json_ProgressOnStderrAndOnlyTheObjectOnStdout()
    {
        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg"), "--json"], Tool.Settings(_server.BaseAddress));

        Assert.True(run.Json.GetProperty("ok").GetBoolean());
        Assert.Contains("Attempt on", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_Failure_TheTrailIsPrintedOnce()
    {
        // The narration showed every attempt, then the failure listed them all again.
        await using var gateway = new EchoingGateway((_, _) => (503, """{"error":{"code":503,"message":"high demand","status":"UNAVAILABLE"}}"""));
        await gateway.StartAsync(Token);
        var settings = Tool.Settings(gateway.BaseAddress);
        settings["NanoBanana:CircuitBreaker:Enabled"] = "false";

        var narrated = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg")], settings);
        var quiet = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg"), "--quiet"], settings);

        Assert.Equal(4, narrated.Exit);
        var sent = gateway.Requests.Count / 2;
        Assert.Equal(5, sent); // NB2 ×3 and Pro ×2
        Assert.Equal(sent, narrated.All.Split('\n').Count(l => l.Contains("• Attempt on ", StringComparison.Ordinal)));
        Assert.Equal(0, TrailLines(narrated.All));
        Assert.Equal(sent, TrailLines(quiet.All));
    }

    [Fact]
    public async Task Generate_TwoGatewaysTheFirstRefusingItsKey_ServesThroughTheSecondAndJsonNamesBoth()
    {
        await using var refusing = new EchoingGateway((_, _) => (401, """{"error":{"message":"Invalid API key","code":401}}"""));
        await refusing.StartAsync(Token);
        var settings = new Dictionary<string, string?>
        {
            ["NanoBanana:PeakHours:Enabled"] = "false",
            ["NanoBanana:Gateways:0:Name"] = "refusing",
            ["NanoBanana:Gateways:0:BaseAddress"] = refusing.BaseAddress.ToString(),
            ["NanoBanana:Gateways:0:ApiKey"] = "sk-refused-0001",
            ["NanoBanana:Gateways:1:Name"] = "simulated",
            ["NanoBanana:Gateways:1:BaseAddress"] = _server.BaseAddress.ToString(),
            ["NanoBanana:Gateways:1:ApiKey"] = ApiKey,
        };

        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg"), "--json"], settings);

        Assert.Equal(0, run.Exit);
        Assert.Equal("simulated", run.Json.GetProperty("gateway").GetString());
        var attempts = run.Json.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("gateway").GetString(), a.GetProperty("outcome").GetString())).ToList();
        Assert.Equal([("refusing", "Unauthorized"), ("simulated", "Success")], attempts);
        Assert.Single(refusing.Requests);
        Assert.DoesNotContain("sk-refused-0001", run.Out + run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_EveryModelUnknown_ExitsTwoWithTheIdsTheGatewaysWordsAndTheFix()
    {
        // It exited 4, "service unavailable … may pass", with no word about the ids.
        await using var gateway = new EchoingGateway((model, _) => (404, $$$"""{"error":{"code":404,"message":"models/{{{model}}} is not found for API version v1beta","status":"NOT_FOUND"}}"""));
        await gateway.StartAsync(Token);
        var settings = Tool.Settings(gateway.BaseAddress);
        settings["NanoBanana:Models:0:Id"] = "google/nb2";
        settings["NanoBanana:Models:1:Id"] = "google/pro";

        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg"), "--json"], settings);

        Assert.Equal(2, run.Exit);
        var message = run.Json.GetProperty("message").GetString()!;
        Assert.Equal("ModelNotFound", run.Json.GetProperty("error").GetString());
        Assert.Contains("google/nb2", message, StringComparison.Ordinal);
        Assert.Contains("google/pro", message, StringComparison.Ordinal);
        Assert.Contains("models/google/pro is not found", message, StringComparison.Ordinal);
        Assert.Contains("Set NanoBanana:Models", message, StringComparison.Ordinal);
        Assert.Equal(2, gateway.Requests.Count);
    }

    [Fact]
    public async Task Generate_OnlyModelsZeroSetLater_ReplacesTheEarlierChainInsteadOfMerging()
    {
        // appsettings.json's two models and the environment's Models__0__Id made a chain of one of each.
        await using var gateway = new EchoingGateway((model, _) => (404, """{"error":{"code":404,"message":"not found","status":"NOT_FOUND"}}"""));
        await gateway.StartAsync(Token);
        var bundled = Tool.Settings(gateway.BaseAddress);
        bundled["NanoBanana:Models:0:Id"] = "google/gemini-3.1-flash-image-preview";
        bundled["NanoBanana:Models:1:Id"] = "google/gemini-3-pro-image-preview";
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(bundled)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["NanoBanana:Models:0:Id"] = "gemini-3.1-flash-image-preview" })
            .Build();

        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg"), "--json"], null, configuration: configuration);

        Assert.Equal(2, run.Exit);
        Assert.Equal(["gemini-3.1-flash-image-preview"], gateway.Requests.Select(r => r.Model));
    }

    [Fact]
    public async Task GenerateJson_RefusedWithTheKeyEchoed_TheKeyIsInNeitherStdoutNorStderr()
    {
        await using var gateway = new EchoingGateway((_, authorization) =>
            (401, $$$"""{"error":{"message":"Incorrect API key provided: {{{authorization}}}","type":"invalid_request_error","code":"invalid_api_key"}}"""));
        await gateway.StartAsync(Token);

        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg"), "--json"], Tool.Settings(gateway.BaseAddress, ApiKey));

        Assert.Equal(ExitCodes.Unauthorized, run.Exit);
        Assert.Equal("Bearer " + ApiKey, Assert.Single(gateway.Requests).Authorization);
        Assert.Contains("\"error\":\"Unauthorized\"", run.Out, StringComparison.Ordinal);
        Assert.Contains("[redacted]", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, run.All, StringComparison.Ordinal);
    }

    /// <summary>Lines of the closing trail, such as "  gemini-3-pro-image-preview: Overloaded (503) in 3 ms → …".</summary>
    private static int TrailLines(string text) => text.Split('\n').Count(l => l.StartsWith("  gemini-", StringComparison.Ordinal));
}
