using Microsoft.Extensions.Configuration;
using NanoBanana.Cli.Tests.TestSupport;

namespace NanoBanana.Cli.Tests;

/// <summary>Mistakes a user can fix get exit 2 and words that say how; a bug gets one line and a log file, never a stack trace.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nanobanana-cli-errors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("Retry:BaseDelay", "abc", "write hh:mm:ss")]
    [InlineData("Retry:BaseDelay", "2s", "write hh:mm:ss")]
    [InlineData("TotalTimeout", "300", "a bare number is not a duration")]
    [InlineData("CircuitBreaker:MinimumThroughput", "many", "not a whole number")]
    [InlineData("Models:0:MaxAttempts", "three", "not a whole number")]
    [InlineData("PeakHours:Enabled", "yes", "not true or false")]
    public async Task Generate_ValueThatDoesNotParse_ExitsTwoNamingKeyValueAndForm(string key, string value, string expected)
    {
        var settings = Tool.Settings(new Uri("http://127.0.0.1:9/v1/"));
        settings["NanoBanana:" + key] = value;

        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg"), "--json"], settings);

        Assert.Equal(2, run.Exit);
        Assert.Equal("Configuration", run.Json.GetProperty("error").GetString());
        var message = run.Json.GetProperty("message").GetString()!;
        Assert.Contains($"NanoBanana:{key} = '{value}'", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_OutInAMissingFolder_ExitsTwoWithoutAStackTrace()
    {
        var run = await Tool.RunAsync("demo", "--out", Path.Combine(_folder, "nope", "x.png"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("does not exist", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--csv")]
    [InlineData("--svg")]
    public async Task Simulate_UnwritableOutput_ExitsTwoBeforeSimulating(string option)
    {
        var run = await Tool.RunAsync("simulate", "--requests", "100000", option, Path.Combine(_folder, "nope", "out.file"));

        Assert.Equal(2, run.Exit);
        Assert.Contains($"{option} '", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("physical limit", run.Err, StringComparison.Ordinal); // nothing was computed
    }

    [Fact]
    public async Task ABug_ExitsOneWithOneLineAndTheLogFileHoldsTheTrace()
    {
        var run = await Tool.RunAsync(["generate", "a cat", "--out", Path.Combine(_folder, "cat.jpg")], null, logDirectory: _folder, configuration: new ThrowingConfiguration());

        Assert.Equal(1, run.Exit);
        Assert.Equal("", run.Out);
        var line = Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var log = Assert.Single(Directory.GetFiles(_folder, "nanobanana-crash-*.log"));
        Assert.Contains(log, line, StringComparison.Ordinal);
        Assert.Contains("A bug on purpose.", await File.ReadAllTextAsync(log, Tool.Token), StringComparison.Ordinal);
        Assert.Contains(nameof(ThrowingConfiguration), await File.ReadAllTextAsync(log, Tool.Token), StringComparison.Ordinal);
    }

    [Fact]
    public void ABug_TheCrashReportLeavesOutTheKeysAndTheSecretHeaderValuesConfigured()
    {
        string[] secrets = ["pk-top-S3CRET-0123456789", "sk-gateway-K3Y-0123456789", "pk-gateway-S3CRET-0123456789"];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NanoBanana:Headers:x-portkey-api-key"] = secrets[0],
            ["NanoBanana:Headers:x-portkey-provider"] = "google",
            ["NanoBanana:Gateways:0:Name"] = "portkey",
            ["NanoBanana:Gateways:0:BaseAddress"] = "http://127.0.0.1:9/v1/",
            ["NanoBanana:Gateways:0:ApiKey"] = secrets[1],
            ["NanoBanana:Gateways:0:Headers:x-portkey-virtual-key"] = secrets[2],
        }).Build();
        using var output = new StringWriter();
        var context = new CliContext { Out = output, Error = output, LogDirectory = _folder };

        // A bug whose message carries every secret, thrown once the configuration has been read.
        var bug = Assert.Throws<InvalidOperationException>(() =>
        {
            using var provider = ClientFactory.Build(configuration, (_, _) => throw new InvalidOperationException("A bug on purpose: " + string.Join(" ", secrets) + " via google"), narrator: null, context: context);
        });
        Assert.Equal(1, CrashReport.Write(bug, json: false, context));

        var report = File.ReadAllText(Assert.Single(Directory.GetFiles(_folder, "nanobanana-crash-*.log")));
        Assert.Contains("A bug on purpose: [redacted] [redacted] [redacted] via google", report, StringComparison.Ordinal); // a short value is a word, kept
        Assert.All(secrets, s => Assert.DoesNotContain(s, report, StringComparison.Ordinal));
    }

    [Fact]
    public void OutputPaths_WritableFile_ReturnsTheFullPath()
        => Assert.Equal(Path.Combine(_folder, "a.png"), OutputPaths.CheckWritableFile(Path.Combine(_folder, "a.png"), "--out"));

    [Fact]
    public void OutputPaths_MissingFolderUnderAWritableOne_IsAccepted()
        => Assert.Equal(Path.Combine(_folder, "new", "deeper"), OutputPaths.CheckWritableFolder(Path.Combine(_folder, "new", "deeper"), "--out-dir"));

    /// <summary>Configuration that fails in a way no command plans for.</summary>
    private sealed class ThrowingConfiguration : IConfiguration
    {
        public string? this[string key]
        {
            get => throw new InvalidOperationException("A bug on purpose.");
            set => throw new InvalidOperationException("A bug on purpose.");
        }

        public IEnumerable<IConfigurationSection> GetChildren() => throw new InvalidOperationException("A bug on purpose.");

        public Microsoft.Extensions.Primitives.IChangeToken GetReloadToken() => throw new InvalidOperationException("A bug on purpose.");

        public IConfigurationSection GetSection(string key) => throw new InvalidOperationException("A bug on purpose.");
    }
}
