using System.Text.Json;
using NanoBanana.Cli.Simulation;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Tests.Simulation;

/// <summary><c>nanobanana simulate</c> end to end, on small periods so each run takes well under a second.</summary>
public sealed class SimulateCommandTests
{
    private static readonly string UnwritablePath = Path.Combine(Path.GetTempPath(), "nanobanana-missing-" + Guid.NewGuid().ToString("N"), "out.csv");

    [Fact]
    public async Task Json_SmallPeriod_OneObjectWithEveryFieldOfTheContract()
    {
        var (code, stdout, _) = await RunAsync("--json", "--requests", "300", "--days", "2", "--window", "peak", "--world", "partial");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("partial", root.GetProperty("world").GetString());
        Assert.Equal(7, root.GetProperty("seed").GetInt32());
        Assert.Equal(2, root.GetProperty("days").GetInt32());
        Assert.Equal("peak", root.GetProperty("window").GetString());
        Assert.Equal(300, root.GetProperty("requests").GetInt32());
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["nb2-only", "pro-only", "s1", "s2", "s3", "s4", "library", "oracle"], rows.Select(r => r.GetProperty("strategy").GetString()));
        foreach (var row in rows)
        {
            Assert.InRange(row.GetProperty("success").GetDouble(), 0, 1);
            foreach (var field in new[] { "requestsPerSuccess", "p50", "p95", "p99", "usdPerImage", "usdPerImageList" })
            {
                Assert.True(row.GetProperty(field).GetDouble() > 0, field);
            }

            Assert.True(row.TryGetProperty("medianTimeToFailure", out _));
            var served = row.GetProperty("servedBy");
            Assert.Equal(1, served.GetProperty(SimulatedModels.NanoBanana2).GetDouble() + served.GetProperty(SimulatedModels.NanoBananaPro).GetDouble(), 6);
        }

        var paired = root.GetProperty("libraryMinusS4");
        Assert.True(paired.GetProperty("low").GetDouble() <= paired.GetProperty("success").GetDouble());
        Assert.True(paired.GetProperty("success").GetDouble() <= paired.GetProperty("high").GetDouble());
    }

    [Theory]
    [InlineData(SimulatedWorld.Episodes)]
    [InlineData(SimulatedWorld.Partial)]
    [InlineData(SimulatedWorld.Noise)]
    [InlineData(SimulatedWorld.Shared)]
    public async Task Oracle_EveryWorldAtPeak_NeverBelowAnyStrategy(SimulatedWorld world)
    {
        var setup = new SimulationSetup(world, Seed: 5, Days: 10, SimulationWindow.Peak, Requests: 1_500, ArrivalPattern.Uniform);

        var report = await SimulateCommand.RunPeriodAsync(setup, SimulateCommand.Select(new Dictionary<string, string?>(), null), TextWriter.Null, TestContext.Current.CancellationToken);

        var oracle = report.Find("oracle")!;
        Assert.All(report.Rows, r => Assert.True(oracle.Success >= r.Success, $"{world}: oracle {oracle.Success:P2} < {r.Strategy} {r.Success:P2}"));
    }

    public static TheoryData<string, string, string> Refusals() => new()
    {
        { "--set", "NotAKey=1", "NotAKey" },
        { "--set", "Retry:MaxDelay=-00:00:01", "MaxDelay" },
        { "--csv", UnwritablePath, UnwritablePath },
        { "--svg", UnwritablePath, UnwritablePath },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Options_WouldFailLate_RefusedBeforeAnythingRuns(string option, string value, string named)
    {
        var (code, _, stderr) = await RunAsync(option, value, "--requests", "50000");

        Assert.Equal(2, code);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("nanobanana simulate —", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--world", "sunny")]
    [InlineData("--arrivals", "poisson")]
    [InlineData("--requests", "0")]
    [InlineData("--seed", "abc")]
    public async Task Options_BadValue_Exit2NamingTheOption(string option, string value)
    {
        var (code, _, stderr) = await RunAsync(option, value);

        Assert.Equal(2, code);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
        Assert.Contains(value, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Arrivals_Bursty_BatchesOfTwentyToTwoHundredAtOneInstant()
    {
        var setup = new SimulationSetup(SimulatedWorld.Episodes, 3, 5, SimulationWindow.Day, 10_000, ArrivalPattern.Bursty);

        var arrivals = Arrivals.Create(setup);

        Assert.Equal(10_000, arrivals.Length);
        var bursts = arrivals.GroupBy(a => a).Select(g => g.Count()).ToList();
        Assert.All(bursts.SkipLast(1), size => Assert.InRange(size, 1, 400)); // two draws can land on one instant, rarely
        Assert.True(bursts.Count(size => size is >= 20 and <= 200) >= bursts.Count - 2, "Bursts should hold 20–200 calls.");
        Assert.InRange(bursts.Average(), 90, 130);
    }

    [Fact]
    public async Task Runner_CallThatOutlivesItsDeadline_FailsTheRunAsAHarnessError()
    {
        var setup = new SimulationSetup(SimulatedWorld.Episodes, 1, 1, SimulationWindow.Day, 3, ArrivalPattern.Uniform);
        var stubborn = new Strategy("stubborn", "ignores its deadline", context => new Stubborn(context.Clock));

        var error = await Assert.ThrowsAsync<SimulationHarnessException>(
            () => SimulationRunner.RunAsync(stubborn, setup, Arrivals.Create(setup), TestContext.Current.CancellationToken));

        Assert.Contains("3 call(s) of 'stubborn'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_LatenciesCountFailuresAtTheirTime()
    {
        CallRecord Call(bool ok, double seconds) => new(SimulationSetup.FirstDay, ok, ok ? SimulatedModels.NanoBanana2 : null, TimeSpan.FromSeconds(seconds));
        var calls = new[] { Call(true, 10), Call(true, 12), Call(false, 200), Call(false, 300) };
        var billed = new Dictionary<string, long> { [SimulatedModels.NanoBanana2] = 3, [SimulatedModels.NanoBananaPro] = 0 };

        var row = StrategyRow.From(new StrategyRun(new Strategy("x", "x", _ => null!), calls, 7, billed, TimeSpan.Zero));

        Assert.Equal(0.5, row.Success);
        Assert.Equal(3.5, row.RequestsPerSuccess);
        Assert.Equal(12, row.P50);
        Assert.Equal(300, row.P95);
        Assert.Equal(200, row.MedianTimeToFailure);
        Assert.Equal(3 * 0.035 / 2, row.UsdPerImage, 9); // an image billed but not delivered still costs
    }

    [Fact]
    public void PairedDifference_KnownCalls_MeanAndInterval()
    {
        StrategyRow Row(params bool[] ok) => StrategyRow.From(new StrategyRun(
            new Strategy("x", "x", _ => null!),
            [.. ok.Select(o => new CallRecord(SimulationSetup.FirstDay, o, o ? SimulatedModels.NanoBanana2 : null, TimeSpan.FromSeconds(1)))],
            ok.Length,
            new Dictionary<string, long> { [SimulatedModels.NanoBanana2] = 1 },
            TimeSpan.Zero));

        var d = PairedDifference.Of(Row(true, true, true, false), Row(true, false, true, false));

        Assert.Equal(0.25, d.Difference, 9);

        // Differences 0, 1, 0, 0: sample variance 0.25, standard error 0.25, half-width 1.96 × 0.25.
        Assert.Equal(0.25 - 0.49, d.Low, 9);
        Assert.Equal(0.25 + 0.49, d.High, 9);
    }

    [Fact]
    public async Task MatrixReport_TwoSeeds_MeanPerCellAndThePairedDifferencePerSeed()
    {
        var strategies = SimulateCommand.Select(new Dictionary<string, string?>(), "s4,library");
        var reports = new List<SimulationReport>();
        foreach (var seed in new[] { 3, 11 })
        {
            reports.Add(await SimulateCommand.RunPeriodAsync(new SimulationSetup(SimulatedWorld.Noise, seed, 2, SimulationWindow.Peak, 200, ArrivalPattern.Uniform), strategies, TextWriter.Null, TestContext.Current.CancellationToken));
        }

        using var markdown = new StringWriter();
        MatrixReport.WriteMarkdown(reports, markdown);

        var text = markdown.ToString();
        Assert.Contains("#### noise · peak 10–14 UTC", text, StringComparison.Ordinal);
        Assert.Contains("| strategy | 200 calls |", text, StringComparison.Ordinal);
        var s4 = text.Split('\n').Single(l => l.StartsWith("| `s4`", StringComparison.Ordinal));
        var expected = Reports.Percent(reports.Average(r => r.Find("s4")!.Success));
        Assert.StartsWith($"| `s4` | {expected} · ", s4, StringComparison.Ordinal);
        var paired = text.Split('\n').Single(l => l.StartsWith("| library − s4", StringComparison.Ordinal));
        Assert.Equal(2, paired.Count(c => c == '['));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await NanoBananaCli.RunAsync(["simulate", .. args], new CliContext { Out = stdout, Error = stderr }, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private sealed class Stubborn(TimeProvider clock) : IStrategyRun
    {
        public async Task<CallResult> CallAsync(int index, CancellationToken deadline)
        {
            await Task.Delay(TimeSpan.FromMinutes(7), clock, CancellationToken.None).ConfigureAwait(false);
            return CallResult.Failed;
        }

        public void Dispose()
        {
        }
    }
}
