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
    public const string Usage = """
        nanobanana simulate [--world episodes|partial|noise|shared] [--requests N] [--seed N] [--days N]
                              [--window day|peak] [--arrivals uniform|bursty] [--only NAME,…] [--set KEY=VALUE …]
                              [--json] [--csv FILE] [--svg FILE]
        nanobanana simulate --matrix [--seed N | --seeds N,N,…] [--days N] [--arrivals uniform|bursty] [--set KEY=VALUE …]
                              [--csv FILE] [--svg-dir DIR]
        """;

    /// <summary>The matrix's traffic levels: calls over the whole period.</summary>
    public static readonly int[] MatrixRequests = [2_000, 10_000, 50_000];

    private const int MaxRequests = 200_000;
    private static readonly HashSet<string> Flags = ["--json", "--matrix"];
    private static readonly HashSet<string> Valued = ["--world", "--requests", "--seed", "--seeds", "--days", "--window", "--arrivals", "--only", "--set", "--csv", "--svg", "--svg-dir"];

    /// <summary>
    /// The command-line wiring. <see cref="RunAsync"/> parses its own options, so every token after <c>simulate</c>
    /// reaches it as typed; the options declared here only check, before hours of simulation, what would fail late:
    /// a seed that is not a number, and a --csv or --svg path that cannot be written.
    /// </summary>
    internal static Command CreateCommand(CliContext context)
    {
        var command = new Command("simulate", "Strategies side by side over a simulated day: the same arrivals against each retry and fallback strategy." + Environment.NewLine + Usage)
        {
            CliOptions.Seed(7, "Drives the arrivals and the simulated gateway."),
            CliOptions.OutputFile("--csv", "Write the table as CSV."),
            CliOptions.OutputFile("--svg", "Write the success-by-hour chart as SVG."),
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parsed, cancellationToken) =>
        {
            var tokens = parsed.Tokens.SkipWhile(t => t.Type != TokenType.Command || t.Value != command.Name).Skip(1).Select(t => t.Value).ToList();
            return RunAsync(tokens, context.Out, context.Error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var json = args.Contains("--json");
        try
        {
            var parsed = CliArguments.Parse(args, Flags, Valued);
            var overrides = ParseSettings(parsed.Values("--set"));
            var strategies = Select(overrides, parsed.Value("--only"));
            var seed = Integer(parsed, "--seed", 7, 0);
            var days = Integer(parsed, "--days", 30, 1);
            var arrivals = Choice(parsed, "--arrivals", ArrivalPattern.Uniform);
            foreach (var path in new[] { parsed.Value("--csv"), parsed.Value("--svg") }.OfType<string>())
            {
                EnsureWritable(path);
            }

            if (parsed.Has("--matrix"))
            {
                if (parsed.Value("--svg-dir") is { } directory)
                {
                    EnsureWritable(Path.Combine(directory, "simulation-episodes.svg"));
                }

                return await RunMatrixAsync(strategies, Seeds(parsed), days, arrivals, parsed, stdout, stderr, cancellationToken).ConfigureAwait(false);
            }

            var setup = new SimulationSetup(
                Choice(parsed, "--world", SimulatedWorld.Episodes),
                seed,
                days,
                Choice(parsed, "--window", SimulationWindow.Day),
                Integer(parsed, "--requests", 10_000, 1, MaxRequests),
                arrivals);
            var report = await RunPeriodAsync(setup, strategies, stderr, cancellationToken).ConfigureAwait(false);
            if (json)
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

            if (parsed.Value("--csv") is { } csv)
            {
                var text = new StringBuilder(Reports.CsvHeader).AppendLine();
                Reports.WriteCsvRows(report, text);
                await File.WriteAllTextAsync(csv, text.ToString(), cancellationToken).ConfigureAwait(false);
                stderr.WriteLine($"Wrote {csv}.");
            }

            if (parsed.Value("--svg") is { } svg)
            {
                await File.WriteAllTextAsync(svg, Reports.Svg(report), cancellationToken).ConfigureAwait(false);
                stderr.WriteLine($"Wrote {svg}.");
            }

            return ExitCodes.Success;
        }
        catch (UsageException e)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Usage, "Usage", e.ShowUsage ? e.Message + Environment.NewLine + Usage : e.Message);
        }
        catch (SimulationHarnessException e)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Other, "SimulationError", e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Cancelled, "Cancelled", "Cancelled.");
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
        IReadOnlyList<Strategy> strategies, List<int> seeds, int days, ArrivalPattern arrivals, CliArguments parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
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
                        var report = await RunPeriodAsync(new SimulationSetup(world, seed, days, window, requests, arrivals), strategies, stderr, cancellationToken).ConfigureAwait(false);
                        reports.Add(report);
                        Reports.WriteCsvRows(report, csv);
                        if (seed == seeds[0] && window == SimulationWindow.Day && requests == 10_000 && parsed.Value("--svg-dir") is { } directory)
                        {
                            var path = Path.Combine(directory, $"simulation-{Reports.Name(world)}.svg");
                            await File.WriteAllTextAsync(path, Reports.Svg(report), cancellationToken).ConfigureAwait(false);
                            stderr.WriteLine($"Wrote {path}.");
                        }
                    }
                }
            }
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Each cell: success · requests per success · p95 over all calls · $ per image at reseller prices; the mean over seeds {string.Join(", ", seeds)}, {days} days, {Reports.Name(arrivals)} arrivals."));
        MatrixReport.WriteMarkdown(reports, stdout);
        if (parsed.Value("--csv") is { } csvPath)
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
            throw new UsageException($"--set: {e.Message} The keys are those of the NanoBanana section, e.g. Retry:BaseDelay or CircuitBreaker:Enabled.", showUsage: false);
        }

        // Validation needs a whole configuration: the simulation's own endpoint and key complete it.
        using var validated = ClientFactory.Build(LibraryStrategy.Configuration(overrides), customize: null, narrator: null);
        return overrides;
    }

    /// <summary>The matrix's seeds: <c>--seeds 3,11,19</c>, or the one <c>--seed</c>.</summary>
    private static List<int> Seeds(CliArguments parsed)
    {
        if (parsed.Value("--seeds") is not { } list)
        {
            return [Integer(parsed, "--seed", 7, 0)];
        }

        var seeds = new List<int>();
        foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            seeds.Add(int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) && seed >= 0
                ? seed
                : throw new UsageException($"--seeds takes whole numbers of at least 0 separated by commas, e.g. 3,11,19; got '{list}'."));
        }

        return seeds.Count > 0 ? seeds : throw new UsageException("--seeds names no seed.");
    }

    private static int Integer(CliArguments parsed, string name, int fallback, int minimum, int maximum = int.MaxValue)
        => parsed.Value(name) is not { } s ? fallback
            : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= minimum && n <= maximum ? n
            : throw new UsageException(maximum == int.MaxValue
                ? $"{name} must be a whole number of at least {minimum}; got '{s}'."
                : $"{name} must be a whole number from {minimum} to {maximum}; got '{s}'.");

    private static T Choice<T>(CliArguments parsed, string name, T fallback)
        where T : struct, Enum
        => parsed.Value(name) is not { } s ? fallback
            : Enum.GetNames<T>().Any(n => n.Equals(s, StringComparison.OrdinalIgnoreCase)) ? Enum.Parse<T>(s, ignoreCase: true)
            : throw new UsageException($"{name} must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}; got '{s}'.");

    /// <summary>Fails before anything is computed when an output file cannot be written, naming it and why.</summary>
    private static void EnsureWritable(string path)
    {
        var existed = File.Exists(path);
        try
        {
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            if (!existed)
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"Cannot write '{path}': {e.Message}", showUsage: false);
        }
    }
}
