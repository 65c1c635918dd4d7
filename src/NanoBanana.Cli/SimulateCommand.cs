using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NanoBanana.Cli.Simulation;
using NanoBananaResilience;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli;

/// <summary>
/// <c>nanobanana simulate</c>: the same calls, in the same simulated world, sent by each strategy — the article's
/// solutions, the library, and an oracle that shows the ceiling — each against its own simulator of that world.
/// <c>--matrix</c> runs every world at peak and all day, at low, middle and high traffic.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>The matrix's traffic levels: calls over the whole period.</summary>
    public static readonly int[] MatrixRequests = [2_000, 10_000, 50_000];

    private const int MaxRequests = 200_000;

    /// <summary>The command and its typed options; a value that does not parse, or an output path that cannot be written, is refused before anything runs.</summary>
    internal static Command CreateCommand(CliContext context)
    {
        var world = CliOptions.Choice("--world", SimulatedWorld.Episodes, "How overloads arrive: episodes, partial, noise or shared (docs/simulation.md).");
        var requests = new Option<int>("--requests")
        {
            Description = "Calls over the whole period.",
            HelpName = "N",
            DefaultValueFactory = _ => 10_000,
            CustomParser = result => CliOptions.WholeNumber(result, "--requests", 1, MaxRequests, "such as 10000"),
        };
        var seed = CliOptions.Seed(7, "Drives the world, the arrivals and every strategy's jitter: the same seed, the same run.");
        var seeds = new Option<string>("--seeds") { Description = "With --matrix: several seeds, such as 3,11,19; each cell shows their mean.", HelpName = "N,N,…" };
        var days = new Option<int>("--days")
        {
            Description = "Consecutive simulated days the calls are spread over; one day is one draw of the weather.",
            HelpName = "N",
            DefaultValueFactory = _ => 30,
            CustomParser = result => CliOptions.WholeNumber(result, "--days", 1, 3650, "such as 30"),
        };
        var window = CliOptions.Choice("--window", SimulationWindow.Day, "When calls arrive each day: all day, or the peak 10:00–14:00 UTC.");
        var arrivals = CliOptions.Choice("--arrivals", ArrivalPattern.Uniform, "Each call at its own instant, or batches of 20–200 calls at once.");
        var only = new Option<string>("--only") { Description = "Run only these strategies, such as s4,library,oracle.", HelpName = "NAME,…" };
        var set = new Option<string[]>("--set")
        {
            Description = "Adds a library-custom row with this configuration key under NanoBanana set, such as CircuitBreaker:ProbeInterval=00:01:00; repeatable.",
            HelpName = "KEY=VALUE",
            DefaultValueFactory = _ => [],
        };
        var json = CliOptions.Json();
        var matrix = new Option<bool>("--matrix") { Description = "Every world × {peak, day} × {2,000, 10,000, 50,000} calls, as Markdown tables." };
        var csv = CliOptions.OutputFile("--csv", "Write every row as CSV.");
        var svg = CliOptions.OutputFile("--svg", "Write the success-by-hour chart as SVG.");
        var svgDir = CliOptions.OutputFolder("--svg-dir", "With --matrix: write one success-by-hour chart per world here.");
        var command = new Command("simulate", "Strategies side by side over a simulated period: the article's solutions, the library and an oracle, on the same calls in the same world.")
        {
            world, requests, seed, seeds, days, window, arrivals, only, set, json, matrix, csv, svg, svgDir,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            new SimulateArguments(
                parsed.GetValue(world), parsed.GetValue(requests), parsed.GetValue(seed), parsed.GetValue(seeds), parsed.GetValue(days),
                parsed.GetValue(window), parsed.GetValue(arrivals), parsed.GetValue(only), parsed.GetValue(set) ?? [], parsed.GetValue(json),
                parsed.GetValue(matrix), parsed.GetValue(csv), parsed.GetValue(svg), parsed.GetValue(svgDir)),
            context,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(SimulateArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var (stdout, stderr) = (context.Out, context.Error);
        try
        {
            var overrides = ParseSettings(args.Set);
            var strategies = Select(overrides, args.Only);
            if (args.Matrix)
            {
                return await RunMatrixAsync(strategies, Seeds(args), args, stdout, stderr, cancellationToken).ConfigureAwait(false);
            }

            var setup = new SimulationSetup(args.World, args.Seed, args.Days, args.Window, args.Requests, args.Arrivals);
            var report = await RunPeriodAsync(setup, strategies, stderr, cancellationToken).ConfigureAwait(false);
            if (args.Json)
            {
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    Reports.WriteJson(writer, report);
                }

                stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                Reports.WriteTable(report, stdout);
            }

            if (args.Csv is { } csv)
            {
                var text = new StringBuilder(Reports.CsvHeader).AppendLine();
                Reports.WriteCsvRows(report, text);
                await File.WriteAllTextAsync(csv, text.ToString(), cancellationToken).ConfigureAwait(false);
                stderr.WriteLine($"Wrote {csv}.");
            }

            if (args.Svg is { } svg)
            {
                await File.WriteAllTextAsync(svg, Reports.Svg(report), cancellationToken).ConfigureAwait(false);
                stderr.WriteLine($"Wrote {svg}.");
            }

            return ExitCodes.Success;
        }
        catch (SimulationHarnessException e)
        {
            return CliOutput.Fail(args.Json, context, ExitCodes.Other, "SimulationError", e.Message);
        }
    }

    /// <summary>Runs every strategy over one period and returns their rows.</summary>
    public static async Task<SimulationReport> RunPeriodAsync(SimulationSetup setup, IReadOnlyList<Strategy> strategies, TextWriter progress, CancellationToken cancellationToken)
    {
        var arrivals = Arrivals.Create(setup);
        progress.WriteLine($"nanobanana simulate — {setup.Describe()}, {SimulationSetup.Deadline.TotalMinutes:0} min deadline per call.");
        var rows = new List<StrategyRow>();
        foreach (var strategy in strategies)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = StrategyRow.From(await SimulationRunner.RunAsync(strategy, setup, arrivals, cancellationToken).ConfigureAwait(false));
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Strategy,-15} {Reports.Percent(row.Success),7}  ({row.RealTime.TotalSeconds:0.0} s real)"));
            rows.Add(row);
        }

        return new SimulationReport(setup, rows);
    }

    private static async Task<int> RunMatrixAsync(
        IReadOnlyList<Strategy> strategies, List<int> seeds, SimulateArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // The option's check promises that a missing folder is made; made now, not after minutes of simulation.
        if (args.SvgDirectory is { } charts)
        {
            Directory.CreateDirectory(charts);
        }

        var csv = new StringBuilder(Reports.CsvHeader).AppendLine();
        var reports = new List<SimulationReport>();
        foreach (var world in Enum.GetValues<SimulatedWorld>())
        {
            foreach (var window in Enum.GetValues<SimulationWindow>())
            {
                foreach (var requests in MatrixRequests)
                {
                    foreach (var seed in seeds)
                    {
                        var report = await RunPeriodAsync(new SimulationSetup(world, seed, args.Days, window, requests, args.Arrivals), strategies, stderr, cancellationToken).ConfigureAwait(false);
                        reports.Add(report);
                        Reports.WriteCsvRows(report, csv);
                        if (seed == seeds[0] && window == SimulationWindow.Day && requests == 10_000 && args.SvgDirectory is { } directory)
                        {
                            var path = Path.Combine(directory, $"simulation-{Reports.Name(world)}.svg");
                            await File.WriteAllTextAsync(path, Reports.Svg(report), cancellationToken).ConfigureAwait(false);
                            stderr.WriteLine($"Wrote {path}.");
                        }
                    }
                }
            }
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Each cell: success · requests per success · p95 over all calls · $ per image at reseller prices; the mean over seeds {string.Join(", ", seeds)}, {args.Days} days, {Reports.Name(args.Arrivals)} arrivals."));
        MatrixReport.WriteMarkdown(reports, stdout);
        if (args.Csv is { } csvPath)
        {
            await File.WriteAllTextAsync(csvPath, csv.ToString(), cancellationToken).ConfigureAwait(false);
            stderr.WriteLine($"Wrote {csvPath}.");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// The strategies to run: the article's, the library, the oracle, and <c>library-custom</c> when <c>--set</c> gives
    /// configuration keys (relative to the <c>NanoBanana</c> section); or only those <c>--only</c> names.
    /// </summary>
    public static IReadOnlyList<Strategy> Select(IReadOnlyDictionary<string, string?> overrides, string? only)
    {
        var selected = new List<Strategy>(ArticleStrategies.All)
        {
            LibraryStrategy.Define("library", "the library, default options", new Dictionary<string, string?>()),
        };
        if (overrides.Count > 0)
        {
            selected.Add(LibraryStrategy.Define("library-custom", string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}")), overrides));
        }

        selected.Add(OracleStrategy.Definition);
        if (only is null)
        {
            return selected;
        }

        var names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Where(n => selected.All(s => s.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"--only: unknown strategy '{unknown[0]}'; the strategies are {string.Join(", ", selected.Select(s => s.Name))}.");
        }

        return [.. selected.Where(s => names.Contains(s.Name))];
    }

    /// <summary>
    /// Reads <c>--set KEY=VALUE</c> and checks it the way the client will read it — an unknown key or a value that does
    /// not bind or validate is refused now, before any strategy has run.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ParseSettings(IReadOnlyList<string> settings)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--set takes KEY=VALUE, e.g. CircuitBreaker:ProbeInterval=00:01:00; got '{setting}'.");
            }

            overrides[setting[..equals].Trim()] = setting[(equals + 1)..].Trim();
        }

        if (overrides.Count == 0)
        {
            return overrides;
        }

        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(overrides.Select(o => KeyValuePair.Create(NanoBananaOptions.SectionName + ":" + o.Key, o.Value)))
            .Build()
            .GetSection(NanoBananaOptions.SectionName);
        try
        {
            section.Get<NanoBananaOptions>(binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"--set: {e.Message} The keys are those of the NanoBanana section, e.g. Retry:BaseDelay or CircuitBreaker:Enabled.", e);
        }

        // Validation needs a whole configuration: the simulation's own endpoint and key complete it.
        using var validated = ClientFactory.Build(LibraryStrategy.Configuration(overrides), customize: null, narrator: null);
        return overrides;
    }

    /// <summary>The matrix's seeds: <c>--seeds 3,11,19</c>, or the one <c>--seed</c>.</summary>
    private static List<int> Seeds(SimulateArguments args)
    {
        if (args.Seeds is not { } list)
        {
            return [args.Seed];
        }

        var seeds = new List<int>();
        foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            seeds.Add(int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                ? seed
                : throw new UsageException($"--seeds takes whole numbers separated by commas, such as 3,11,19; got '{list}'."));
        }

        return seeds.Count > 0 ? seeds : throw new UsageException("--seeds names no seed.");
    }
}

/// <summary>What <c>nanobanana simulate</c> was asked to do, as parsed.</summary>
internal sealed record SimulateArguments(
    SimulatedWorld World,
    int Requests,
    int Seed,
    string? Seeds,
    int Days,
    SimulationWindow Window,
    ArrivalPattern Arrivals,
    string? Only,
    IReadOnlyList<string> Set,
    bool Json,
    bool Matrix,
    string? Csv,
    string? Svg,
    string? SvgDirectory);
