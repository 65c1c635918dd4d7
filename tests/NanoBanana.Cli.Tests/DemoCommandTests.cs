using NanoBanana.Cli.Tests.TestSupport;

namespace NanoBanana.Cli.Tests;

/// <summary><c>nanobanana demo</c>: a story told on a virtual clock, the same for the same seed.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nanobanana-cli-demo-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Demo_SameSeedTwice_TellsTheSameStory()
    {
        // The jitter came from Random.Shared: now and then call 1 got through on NB2 and call 2's heading was false.
        var first = await Tool.RunAsync("demo", "--seed", "11", "--out", Path.Combine(_folder, "a.png"));
        var second = await Tool.RunAsync("demo", "--seed", "11", "--out", Path.Combine(_folder, "a.png"));

        Assert.Equal(0, first.Exit);
        Assert.Equal(first.Err, second.Err);
        Assert.Equal(first.Out, second.Out);
        Assert.Contains("waited", first.Out, StringComparison.Ordinal); // the story has backoff in it: the jitter is in play
    }

    [Fact]
    public async Task DemoJson_ReportsEveryCall()
    {
        var run = await Tool.RunAsync("demo", "--json", "--out", Path.Combine(_folder, "demo.png"));

        Assert.Equal(0, run.Exit);
        Assert.True(run.Json.GetProperty("ok").GetBoolean());
        Assert.Equal(3, run.Json.GetProperty("calls").GetArrayLength());
        Assert.All(run.Json.GetProperty("calls").EnumerateArray(), call => Assert.NotEqual(0, call.GetProperty("attempts").GetArrayLength()));
        Assert.True(run.Json.GetProperty("requestsSent").GetInt64() >= 3);
        Assert.Equal(Path.Combine(_folder, "demo.png"), run.Json.GetProperty("files")[0].GetString());
    }

    [Fact]
    public async Task Demo_GoogleNativeProtocol_TellsTheSameStoryThroughGooglesApi()
    {
        var chat = await Tool.RunAsync("demo", "--json", "--seed", "11", "--out", Path.Combine(_folder, "chat.png"));
        var native = await Tool.RunAsync("demo", "--json", "--seed", "11", "--protocol", "googlenative", "--out", Path.Combine(_folder, "native.png"));

        // The same world decides both endpoints, so the same seed gives the same attempts, whichever API carries them.
        Assert.Equal(0, native.Exit);
        Assert.True(native.Json.GetProperty("ok").GetBoolean());
        Assert.Equal(Trail(chat.Json), Trail(native.Json));
        Assert.Equal(chat.Json.GetProperty("requestsSent").GetInt64(), native.Json.GetProperty("requestsSent").GetInt64());

        static string[] Trail(System.Text.Json.JsonElement report) =>
        [
            .. report.GetProperty("calls").EnumerateArray().SelectMany(c => c.GetProperty("attempts").EnumerateArray())
                .Select(a => $"{a.GetProperty("model").GetString()} {a.GetProperty("outcome").GetString()} {a.GetProperty("decision").GetString()}"),
        ];
    }

    [Fact]
    public async Task Demo_UnknownProtocol_IsAUsageErrorListingTheChoices()
    {
        var run = await Tool.RunAsync("demo", "--protocol", "grpc");

        Assert.Equal(2, run.Exit);
        Assert.Contains("--protocol 'grpc' is not one of openaicompatible, googlenative.", run.Err, StringComparison.Ordinal);
    }
}
