using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli;

/// <summary>
/// <c>nanobanana simulate</c>: the same arrivals, on the same simulated day, against each retry/fallback strategy —
/// the seed's hand-written ones and the library with its defaults and variants — each against a fresh simulator with
/// the same seed, all calls concurrent on one virtual clock per strategy.
/// </summary>
internal static class SimulateCommand
{
    public const string Usage = """
        nanobanana simulate [--requests N] [--seed N] [--window day|peak] [--days N]
                              [--only NAME,…] [--set KEY=VALUE …] [--csv FILE] [--svg FILE]
        """;

    private static readonly HashSet<string> Flags = [];
    private static readonly HashSet<string> Valued = ["--requests", "--seed", "--window", "--days", "--only", "--set", "--csv", "--svg"];
    private static readonly DateTimeOffset Day = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan TotalDeadline = TimeSpan.FromMinutes(5);
    private static readonly Uri Endpoint = new("http://127.0.0.1/v1/chat/completions");

    private const string Nb2 = SimulatedModels.NanoBanana2;
    private const string Pro = SimulatedModels.NanoBananaPro;

    private sealed record Strategy(string Name, string Description, Func<Context, Func<int, Task<CallResult>>> Create);

    private sealed record Context(VirtualTimeProvider Clock, SimulatedGeminiHandler Simulator, HttpClient Http, int Seed);

    private readonly record struct CallResult(bool Success, string? Model);

    private sealed record Row(
        string Name,
        int Calls,
        int Successes,
        int PeakCalls,
        int PeakSuccesses,
        long Requests,
        TimeSpan P50,
        TimeSpan P95,
        double ResellerCost,
        double ListCost,
        double Nb2Share,
        int[] HourCalls,
        int[] HourSuccesses,
        TimeSpan RealTime)
    {
        public double SuccessRate => Calls == 0 ? double.NaN : (double)Successes / Calls;

        public double PeakRate => PeakCalls == 0 ? double.NaN : (double)PeakSuccesses / PeakCalls;

        public double RequestsPerSuccess => Successes == 0 ? double.NaN : (double)Requests / Successes;
    }

    private static readonly Strategy[] Strategies =
    [
        new("none", "NB2 once, no retry", c => i => NoneAsync(c)),
        new("seed-1-retry", "NB2 ×5, 2^n + U(0,1) s after each 503", c => i => RetryAsync(c, i)),
        new("seed-2-fallback", "NB2 once then Pro once", c => i => FallbackAsync(c)),
        new("seed-4-chain", "NB2 ×3 → Pro ×2, backoff, reversed 10 ≤ h ≤ 14, 120 s attempts", c => i => ChainAsync(c, i)),
        Library("library-defaults", "the library, default options", []),
        Library("library-no-breaker", "CircuitBreaker:Enabled=false", new() { ["CircuitBreaker:Enabled"] = "false" }),
        Library("library-no-peak", "PeakHours:Enabled=false", new() { ["PeakHours:Enabled"] = "false" }),
    ];

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
        try
        {
            var parsed = CliArguments.Parse(args, Flags, Valued);
            var requests = Integer(parsed, "--requests", 10_000, 1);
            var seed = Integer(parsed, "--seed", 7, int.MinValue);
            var window = parsed.Value("--window") ?? "day";
            if (window is not ("day" or "peak"))
            {
                throw new UsageException($"--window must be 'day' or 'peak'; got '{window}'.");
            }

            var days = Integer(parsed, "--days", 1, 1);
            var (from, to) = window == "peak" ? (TimeSpan.FromHours(10), TimeSpan.FromHours(14)) : (TimeSpan.Zero, TimeSpan.FromDays(1));
            var arrivals = Arrivals(requests, seed, days, from, to);
            stderr.WriteLine($"nanobanana simulate — {requests} calls, {from:hh\\:mm}–{(to == TimeSpan.FromDays(1) ? "24:00" : to.ToString(@"hh\:mm", CultureInfo.InvariantCulture))} UTC on {days} day(s) from {Day:yyyy-MM-dd}, seed {seed}, {TotalDeadline.TotalMinutes:0} min deadline per call.");
            stderr.WriteLine($"  physical limit: share of calls arriving while both models are in an overload episode: {BothOverloaded(seed, arrivals):P1}");

            var rows = new List<Row>();
            foreach (var strategy in Select(parsed))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = await RunStrategyAsync(strategy, arrivals, seed, cancellationToken);
                stderr.WriteLine($"  {row.Name,-20} {row.SuccessRate,7:P1}  ({row.RealTime.TotalSeconds:0.0} s real)");
                rows.Add(row);
            }

            WriteTable(rows, stdout);
            if (parsed.Value("--csv") is { } csv)
            {
                await File.WriteAllTextAsync(csv, Csv(rows), cancellationToken);
                stderr.WriteLine($"Wrote {csv}.");
            }

            if (parsed.Value("--svg") is { } svg)
            {
                await File.WriteAllTextAsync(svg, Svg(rows, seed, requests, window), cancellationToken);
                stderr.WriteLine($"Wrote {svg}.");
            }

            return ExitCodes.Success;
        }
        catch (UsageException e)
        {
            return GenerateCommand.Fail(false, stdout, stderr, ExitCodes.Usage, "Usage", e.Message + Environment.NewLine + Usage);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return GenerateCommand.Fail(false, stdout, stderr, ExitCodes.Cancelled, "Cancelled", "Cancelled.");
        }
    }

    private static int Integer(CliArguments parsed, string name, int fallback, int minimum)
        => parsed.Value(name) is not { } s ? fallback
            : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= minimum ? n
            : throw new UsageException($"{name} '{s}' is not a whole number of at least {minimum}.");

    /// <summary>Arrival times, uniform over the daily window of each of the days, sorted; the same for every strategy.</summary>
    private static DateTimeOffset[] Arrivals(int count, int seed, int days, TimeSpan from, TimeSpan to)
    {
        var random = new Random(seed);
        var span = (to - from).Ticks;
        var arrivals = new DateTimeOffset[count];
        for (var i = 0; i < count; i++)
        {
            // Whole milliseconds: the simulator seeds each answer by arrival instant.
            var day = Day.AddDays(random.Next(days)) + from;
            arrivals[i] = day.AddMilliseconds(Math.Floor(random.NextDouble() * span / TimeSpan.TicksPerMillisecond));
        }

        Array.Sort(arrivals);
        return arrivals;
    }

    /// <summary>Share of arrivals at which both models are inside an overload episode: no strategy can help those at once.</summary>
    private static double BothOverloaded(int seed, DateTimeOffset[] arrivals)
    {
        using var world = new SimulatedGeminiHandler(new SimulatedGeminiOptions { Seed = seed, RequestLogCapacity = 0 }, new VirtualTimeProvider(Day));
        return arrivals.Count(a => world.IsOverloaded(Nb2, a) && world.IsOverloaded(Pro, a)) / (double)arrivals.Length;
    }

    private static async Task<Row> RunStrategyAsync(Strategy strategy, DateTimeOffset[] arrivals, int seed, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var clock = new VirtualTimeProvider(Day)
        {
            // Every continuation here runs inline on the driver thread (in-memory handler, ConfigureAwait(false)),
            // and the driver still waits for the thread pool to be quiet; 2 ms per timer would cost minutes.
            SettleTime = TimeSpan.Zero,
        };
        var world = new SimulatedGeminiOptions { Seed = seed, RequestLogCapacity = 0 };
        using var simulator = new SimulatedGeminiHandler(world, clock);
        using var http = new HttpClient(simulator, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        var context = new Context(clock, simulator, http, seed);
        var call = strategy.Create(context);

        var results = new CallResult[arrivals.Length];
        var latencies = new TimeSpan[arrivals.Length];
        await clock.RunAsync(
            async () =>
            {
                var running = new Task[arrivals.Length];
                for (var i = 0; i < arrivals.Length; i++)
                {
                    var wait = arrivals[i] - clock.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
                    }

                    running[i] = Measure(i);
                }

                await Task.WhenAll(running).ConfigureAwait(false);
            },
            cancellationToken);

        async Task Measure(int i)
        {
            var start = clock.GetUtcNow();
            try
            {
                results[i] = await call(i).ConfigureAwait(false);
            }
            catch (NanoBananaException)
            {
                results[i] = new(false, null);
            }

            latencies[i] = clock.GetUtcNow() - start;
        }

        var hourCalls = new int[24];
        var hourSuccesses = new int[24];
        var successLatencies = new List<TimeSpan>();
        int successes = 0, peakCalls = 0, peakSuccesses = 0, nb2 = 0;
        for (var i = 0; i < arrivals.Length; i++)
        {
            var hour = arrivals[i].Hour;
            var peak = hour is >= 10 and < 14;
            hourCalls[hour]++;
            peakCalls += peak ? 1 : 0;
            if (results[i].Success)
            {
                successes++;
                hourSuccesses[hour]++;
                peakSuccesses += peak ? 1 : 0;
                nb2 += IsNb2(results[i].Model) ? 1 : 0;
                successLatencies.Add(latencies[i]);
            }
        }

        successLatencies.Sort();

        // Billed: every image the gateway generated (an answer cancelled by the caller's deadline was still made).
        var nb2Images = simulator.Statistics.GetCount(Nb2, SimulatedOutcome.Success);
        var proImages = simulator.Statistics.GetCount(Pro, SimulatedOutcome.Success);
        double PerImage(double nb2Price, double proPrice) => successes == 0 ? double.NaN : ((nb2Images * nb2Price) + (proImages * proPrice)) / successes;

        return new Row(
            strategy.Name,
            arrivals.Length,
            successes,
            peakCalls,
            peakSuccesses,
            simulator.Statistics.TotalRequests,
            Percentile(successLatencies, 0.50),
            Percentile(successLatencies, 0.95),
            PerImage(0.035, 0.05),
            PerImage(0.067, 0.134),
            successes == 0 ? double.NaN : (double)nb2 / successes,
            hourCalls,
            hourSuccesses,
            stopwatch.Elapsed);
    }

    private static bool IsNb2(string? model) => model is not null && model.EndsWith(Nb2, StringComparison.Ordinal);

    private static TimeSpan Percentile(List<TimeSpan> sorted, double p)
        => sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    // ---- The seed's strategies: small loops over a plain HttpClient, on the virtual clock. ----

    private enum Answer
    {
        Image,
        Overloaded,
        RateLimited,
        TimedOut,
        OtherFailure,
    }

    private static async Task<Answer> SendAsync(Context c, string model, CancellationToken deadline, TimeSpan? attemptTimeout = null)
    {
        using var attempt = attemptTimeout is { } t ? new CancellationTokenSource(t, c.Clock) : null;
        using var linked = attempt is null ? null : CancellationTokenSource.CreateLinkedTokenSource(deadline, attempt.Token);
        var token = linked?.Token ?? deadline;
        var body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"a nano banana in a tiny spacesuit\"}],\"modalities\":[\"image\",\"text\"]}";
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await c.Http.PostAsync(Endpoint, content, token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK when HasImage(text) => Answer.Image,
                HttpStatusCode.ServiceUnavailable => Answer.Overloaded,
                HttpStatusCode.TooManyRequests => Answer.RateLimited,
                _ => Answer.OtherFailure,
            };
        }
        catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
        {
            return Answer.TimedOut;
        }
    }

    private static bool HasImage(string body)
        => body.Contains(";base64,", StringComparison.Ordinal) || body.Contains("\"b64_json\"", StringComparison.Ordinal)
            || body.Contains("inlineData", StringComparison.Ordinal) || body.Contains("inline_data", StringComparison.Ordinal);

    /// <summary>Runs a hand-written call under the shared 5-minute deadline; running out of it is a failure.</summary>
    private static async Task<CallResult> WithDeadlineAsync(Context c, Func<CancellationToken, Task<CallResult>> call)
    {
        using var deadline = new CancellationTokenSource(TotalDeadline, c.Clock);
        try
        {
            return await call(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new(false, null);
        }
    }

    private static TimeSpan Backoff(int n, Random random) => TimeSpan.FromSeconds(Math.Pow(2, n) + random.NextDouble());

    private static Random CallRandom(Context c, int index) => new(unchecked((c.Seed * 1_000_003) + index)); // not HashCode: it is salted per process

    private static Task<CallResult> NoneAsync(Context c)
        => WithDeadlineAsync(c, async deadline =>
            new(await SendAsync(c, Nb2, deadline).ConfigureAwait(false) == Answer.Image, Nb2));

    private static Task<CallResult> RetryAsync(Context c, int index)
        => WithDeadlineAsync(c, async deadline =>
        {
            var random = CallRandom(c, index);
            for (var attempt = 1; attempt <= 5; attempt++)
            {
                var answer = await SendAsync(c, Nb2, deadline).ConfigureAwait(false);
                if (answer == Answer.Image)
                {
                    return new(true, Nb2);
                }

                if (answer != Answer.Overloaded || attempt == 5)
                {
                    break;
                }

                await Task.Delay(Backoff(attempt, random), c.Clock, deadline).ConfigureAwait(false);
            }

            return new(false, null);
        });

    private static Task<CallResult> FallbackAsync(Context c)
        => WithDeadlineAsync(c, async deadline =>
        {
            foreach (var model in (string[])[Nb2, Pro])
            {
                if (await SendAsync(c, model, deadline).ConfigureAwait(false) == Answer.Image)
                {
                    return new(true, model);
                }
            }

            return new(false, null);
        });

    private static Task<CallResult> ChainAsync(Context c, int index)
        => WithDeadlineAsync(c, async deadline =>
        {
            var random = CallRandom(c, index);
            var hour = c.Clock.GetUtcNow().Hour;
            (string Model, int Attempts)[] chain = hour is >= 10 and <= 14 ? [(Pro, 2), (Nb2, 3)] : [(Nb2, 3), (Pro, 2)];
            foreach (var (model, attempts) in chain)
            {
                for (var attempt = 1; attempt <= attempts; attempt++)
                {
                    var answer = await SendAsync(c, model, deadline, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                    if (answer == Answer.Image)
                    {
                        return new(true, model);
                    }

                    if (answer != Answer.Overloaded || attempt == attempts)
                    {
                        break; // 429, timeout or anything else: the next model
                    }

                    await Task.Delay(Backoff(attempt, random), c.Clock, deadline).ConfigureAwait(false);
                }
            }

            return new(false, null);
        });

    /// <summary>
    /// The strategies to run: all built-in ones, or those <c>--only</c> names; plus <c>library-custom</c> when
    /// <c>--set KEY=VALUE</c> gives configuration keys (relative to the <c>NanoBanana</c> section) to try.
    /// </summary>
    private static List<Strategy> Select(CliArguments parsed)
    {
        var selected = new List<Strategy>(Strategies);
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in parsed.Values("--set"))
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--set takes KEY=VALUE, e.g. CircuitBreaker:MaxBreakDuration=00:01:00; got '{setting}'.");
            }

            overrides[setting[..equals].Trim()] = setting[(equals + 1)..].Trim();
        }

        if (overrides.Count > 0)
        {
            selected.Add(Library("library-custom", string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}")), overrides));
        }

        if (parsed.Value("--only") is not { } only)
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

    // ---- The library, through DI as in the demo. ----

    private static Strategy Library(string name, string description, Dictionary<string, string?> overrides)
        => new(name, description, c =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["NanoBanana:BaseAddress"] = "http://127.0.0.1/v1/", // never dialled: the simulator answers in-process
                ["NanoBanana:ApiKey"] = "simulated-key",
            };
            foreach (var (key, value) in overrides)
            {
                settings["NanoBanana:" + key] = value;
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = ClientFactory.Build(configuration, (s, http) =>
            {
                s.AddSingleton<TimeProvider>(c.Clock);
                http.ConfigurePrimaryHttpMessageHandler(() => c.Simulator).SetHandlerLifetime(Timeout.InfiniteTimeSpan);
            }, narrator: null);
            var client = services.GetRequiredService<INanoBananaClient>();
            return async i =>
            {
                var result = await client.GenerateAsync("a nano banana in a tiny spacesuit").ConfigureAwait(false);
                return new(true, result.Model);
            };
        });

    // ---- Output ----

    private static string Percent(double value) => double.IsNaN(value) ? "–" : value.ToString("P1", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Dollars(double value) => double.IsNaN(value) ? "–" : "$" + value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string[] Cells(Row r) =>
    [
        r.Name,
        Percent(r.SuccessRate),
        Percent(r.PeakRate),
        double.IsNaN(r.RequestsPerSuccess) ? "–" : r.RequestsPerSuccess.ToString("0.00", CultureInfo.InvariantCulture),
        Seconds(r.P50),
        Seconds(r.P95),
        Dollars(r.ResellerCost),
        Dollars(r.ListCost),
        Percent(r.Nb2Share),
    ];

    private static readonly string[] Headers = ["strategy", "success", "peak 10–14", "req/success", "p50", "p95", "$/image resale", "$/image list", "NB2 share"];

    private static void WriteTable(List<Row> rows, TextWriter stdout)
    {
        var cells = rows.Select(Cells).Prepend(Headers).ToList();
        var widths = Enumerable.Range(0, Headers.Length).Select(c => cells.Max(r => r[c].Length)).ToArray();
        foreach (var (line, index) in cells.Select((r, i) => (r, i)))
        {
            var text = string.Join("  ", line.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])));
            stdout.WriteLine(text.TrimEnd());
            if (index == 0)
            {
                stdout.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }
    }

    private static string Csv(List<Row> rows)
    {
        var csv = new StringBuilder("strategy,calls,successes,success_rate,peak_calls,peak_successes,peak_success_rate,requests,requests_per_success,p50_seconds,p95_seconds,cost_per_image_reseller_usd,cost_per_image_list_usd,nb2_share\n");
        foreach (var r in rows)
        {
            csv.AppendLine(string.Join(",", new object[]
            {
                r.Name, r.Calls, r.Successes, r.SuccessRate, r.PeakCalls, r.PeakSuccesses, r.PeakRate, r.Requests, r.RequestsPerSuccess,
                r.P50.TotalSeconds, r.P95.TotalSeconds, r.ResellerCost, r.ListCost, r.Nb2Share,
            }.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        }

        return csv.ToString();
    }

    /// <summary>A hand-written line chart: success rate by UTC hour of arrival, one line per strategy.</summary>
    private static string Svg(List<Row> rows, int seed, int requests, string window)
    {
        string[] colors = ["#7f7f7f", "#d62728", "#ff7f0e", "#9467bd", "#1f77b4", "#2ca02c", "#17becf"];
        const double Left = 60, Top = 40, Width = 720, Height = 360, LegendX = Left + Width + 20;
        var hours = Enumerable.Range(0, 24).Where(h => rows[0].HourCalls[h] > 0).ToArray();
        double first = hours.Min(), last = hours.Max() + 1;
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        double X(double hour) => Left + ((hour - first) / (last - first) * Width);
        double Y(double rate) => Top + ((1 - rate) * Height);

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{F(LegendX + 200)}" height="{F(Top + Height + 60)}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{F(Left)}" y="22" font-size="15">Success rate by UTC hour of arrival — {requests} calls, seed {seed}, window {window}, 5 min deadline</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{F(X(Math.Max(10, first)))}" y="{F(Top)}" width="{F(X(Math.Min(14, last)) - X(Math.Max(10, first)))}" height="{F(Height)}" fill="#f3ece0"/>""");
        for (var r = 0; r <= 10; r++)
        {
            var y = Y(r / 10.0);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{F(Left)}" x2="{F(Left + Width)}" y1="{F(y)}" y2="{F(y)}" stroke="#ddd"/><text x="{F(Left - 8)}" y="{F(y + 4)}" text-anchor="end">{r * 10}%</text>""");
        }

        for (var h = first; h <= last; h++)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{F(X(h))}" x2="{F(X(h))}" y1="{F(Top + Height)}" y2="{F(Top + Height + 5)}" stroke="#333"/><text x="{F(X(h))}" y="{F(Top + Height + 18)}" text-anchor="middle">{h:00}</text>""");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{F(Left)}" y="{F(Top)}" width="{F(Width)}" height="{F(Height)}" fill="none" stroke="#333"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{F(Left + (Width / 2))}" y="{F(Top + Height + 38)}" text-anchor="middle">UTC hour (shaded: peak 10:00–14:00)</text>""");
        for (var s = 0; s < rows.Count; s++)
        {
            var row = rows[s];
            var color = colors[s % colors.Length];
            var points = string.Join(" ", hours.Select(h => $"{F(X(h + 0.5))},{F(Y((double)row.HourSuccesses[h] / row.HourCalls[h]))}"));
            var dash = row.Name.StartsWith("library", StringComparison.Ordinal) ? string.Empty : """ stroke-dasharray="5,3" """;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"{dash}/>""");
            var ly = Top + 10 + (s * 20);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{F(LegendX)}" x2="{F(LegendX + 24)}" y1="{F(ly)}" y2="{F(ly)}" stroke="{color}" stroke-width="2"{dash}/><text x="{F(LegendX + 30)}" y="{F(ly + 4)}">{row.Name}</text>""");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
