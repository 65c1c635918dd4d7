using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary>
/// <c>nanobanana batch PROMPTS.txt --out-dir DIR</c>: one image per line of the file, a few at a time, into a folder that
/// keeps a manifest, so running the same command again after a crash or Ctrl+C finishes the job without paying twice.
/// </summary>
internal static class BatchCommand
{
    public const string Usage = """
        nanobanana batch PROMPTS.txt --out-dir DIR [--concurrency N] [--prefer-off-peak --deadline 12h]
                           [--size 0.5K|1K|2K|4K] [--aspect-ratio W:H] [--json]
        """;

    private static readonly HashSet<string> Flags = ["--json", "--prefer-off-peak"];

    // Readable output: arrows and quotes as themselves, not \u escapes.
    private static readonly JsonSerializerOptions JsonOptions = new(BatchCliJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly HashSet<string> Valued = ["--out-dir", "--concurrency", "--deadline", "--size", "--aspect-ratio"];

    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
        => RunAsync(args, stdout, stderr, ClientFactory.LoadConfiguration(), interactive: !Console.IsErrorRedirected, cancellationToken);

    /// <summary>Runs the command with the given configuration; <paramref name="interactive"/> draws a live bar on stderr.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, IConfiguration configuration, bool interactive, CancellationToken cancellationToken)
    {
        var json = args.Contains("--json");
        var summary = new BatchSummary();
        try
        {
            var parsed = CliArguments.Parse(args, Flags, Valued);
            var (requests, options) = await ParseAsync(parsed, cancellationToken);
            using var services = ClientFactory.Build(configuration, null, narrator: null);
            var client = services.GetRequiredService<INanoBananaClient>();
            var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
            var peak = services.GetRequiredService<IOptions<NanoBananaOptions>>().Value.PeakHours;
            options.PeakHours.Enabled = peak.Enabled; // the scheduler avoids the same window the chain reverses in
            options.PeakHours.Start = peak.Start;
            options.PeakHours.End = peak.End;
            options.TimeProvider = time;
            if (parsed.Has("--prefer-off-peak"))
            {
                options.Deadline = time.GetUtcNow() + Duration(parsed.Value("--deadline")!);
            }

            var bar = interactive ? new ProgressBar(stderr) : null;
            options.Progress = bar;
            summary.Total = requests.Count;
            summary.OutDir = Path.GetFullPath(options.OutputDirectory!);
            try
            {
                await foreach (var item in client.GenerateBatchAsync(requests, options, cancellationToken))
                {
                    summary.Add(item);
                    if (bar is null && !json)
                    {
                        stdout.WriteLine(Line(item, summary));
                    }
                }
            }
            finally
            {
                bar?.Finish();
            }

            Print(json, stdout, summary);
            return summary.ExitCode;
        }
        catch (UsageException e)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Usage, e.ShowUsage ? "Usage" : "Configuration", e.ShowUsage ? e.Message + Environment.NewLine + Usage : e.Message);
        }
        catch (ArgumentException e)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Usage, "Usage", e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            summary.Cancelled = true;
            Print(json, stdout, summary);
            if (!json)
            {
                stderr.WriteLine("Cancelled. Run the same command again to finish: saved images are kept and skipped.");
            }

            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Other, "IOError", e.Message);
        }
    }

    private static async Task<(List<NanoBananaRequest> Requests, BatchOptions Options)> ParseAsync(CliArguments parsed, CancellationToken cancellationToken)
    {
        if (parsed.Positionals.Count != 1)
        {
            throw new UsageException(parsed.Positionals.Count == 0 ? "A prompts file is required." : "Give one prompts file.");
        }

        var file = parsed.Positionals[0];
        if (!File.Exists(file))
        {
            throw new UsageException($"The prompts file '{file}' does not exist.");
        }

        var outDir = parsed.Value("--out-dir") ?? throw new UsageException("--out-dir is required: the images and the manifest that makes the run resumable go there.");
        var concurrency = parsed.Value("--concurrency") is not { } c ? 4
            : int.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1024 ? n
            : throw new UsageException($"--concurrency '{c}' is not a whole number from 1 to 1024.");
        var offPeak = parsed.Has("--prefer-off-peak");
        if (offPeak != parsed.Has("--deadline"))
        {
            throw new UsageException("--prefer-off-peak and --deadline go together: the deadline says how long items may wait for off-peak.");
        }

        if (offPeak)
        {
            _ = Duration(parsed.Value("--deadline")!); // fail on a bad value before anything is sent
        }

        ImageSize? size = parsed.Value("--size") is not { } s ? null
            : ImageSize.TryParse(s, out var parsedSize) ? parsedSize : throw new UsageException($"--size '{s}' is not one of 0.5K, 1K, 2K, 4K.");
        AspectRatio? ratio = parsed.Value("--aspect-ratio") is not { } r ? null
            : AspectRatio.TryParse(r, out var parsedRatio) ? parsedRatio : throw new UsageException($"--aspect-ratio '{r}' is not of the form W:H, for example 16:9.");

        // One prompt a line; blank lines and lines starting with # are skipped.
        var requests = (await File.ReadAllLinesAsync(file, cancellationToken))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => new NanoBananaRequest(line) { Size = size, AspectRatio = ratio })
            .ToList();
        if (requests.Count == 0)
        {
            throw new UsageException($"The prompts file '{file}' has no prompts (one a line; # starts a comment).");
        }

        var options = new BatchOptions
        {
            OutputDirectory = outDir,
            MaxConcurrency = concurrency,
            Scheduling = offPeak ? BatchScheduling.PreferOffPeak : BatchScheduling.Immediate,
        };
        return (requests, options);
    }

    /// <summary>Reads <c>12h</c>, <c>90m</c>, <c>45s</c>, <c>2d</c>, or a time span such as <c>1:30:00</c>.</summary>
    internal static TimeSpan Duration(string value)
    {
        var units = new Dictionary<char, TimeSpan> { ['s'] = TimeSpan.FromSeconds(1), ['m'] = TimeSpan.FromMinutes(1), ['h'] = TimeSpan.FromHours(1), ['d'] = TimeSpan.FromDays(1) };
        if (value.Length > 1 && units.TryGetValue(char.ToLowerInvariant(value[^1]), out var unit)
            && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var count) && count > 0 && count <= 365)
        {
            return unit * count;
        }

        // A bare number has no unit (TimeSpan would read "12" as twelve days): only h:mm[:ss] is taken as a time span.
        return value.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new UsageException($"--deadline '{value}' is not a duration such as 12h, 90m or 1:30:00.");
    }

    private static string Line(BatchItemResult item, BatchSummary summary)
    {
        var position = $"[{summary.Done.ToString(CultureInfo.InvariantCulture).PadLeft(summary.Total.ToString(CultureInfo.InvariantCulture).Length)}/{summary.Total}]";
        return item.Status switch
        {
            BatchItemStatus.Succeeded => $"{position} ok      {Path.GetFileName(item.FilePath)} from {item.Model}, {Money(item.CostUsd ?? 0)}, {item.Decision}",
            BatchItemStatus.Skipped => $"{position} skipped {Path.GetFileName(item.FilePath)} (saved by an earlier run)",
            _ => $"{position} failed  #{item.Index} {Failure(item.Error)}: {item.Error?.Message}",
        };
    }

    private static void Print(bool json, TextWriter stdout, BatchSummary summary)
    {
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(summary.ToReport(), JsonOptions.GetTypeInfo(typeof(BatchReport))));
            return;
        }

        var report = summary.ToReport();
        stdout.WriteLine($"{report.Succeeded} images, {report.Failed} failed, {report.Skipped} skipped (of {report.Total}){(report.Cancelled ? ", cancelled" : string.Empty)}; estimated {Money(report.CostUsd)}; {report.RequestsSent} requests sent.");
        foreach (var (model, share) in report.SharePerModel)
        {
            stdout.WriteLine($"  {model}: {share:P0} of the images, {report.RequestsPerModel.GetValueOrDefault(model)} requests");
        }

        foreach (var (model, requests) in report.RequestsPerModel.Where(p => !report.SharePerModel.ContainsKey(p.Key)))
        {
            stdout.WriteLine($"  {model}: no images, {requests} requests");
        }

        stdout.WriteLine($"  images and manifest in {report.OutDir}");
        if (report.Failed > 0)
        {
            stdout.WriteLine("  run the same command again to retry the failed items; finished ones are skipped.");
        }
    }

    private static string Failure(Exception? error) => error switch
    {
        NanoBananaException e => e.Outcome.ToString(),
        null => "Unknown",
        _ => error.GetType().Name.Replace("Exception", string.Empty, StringComparison.Ordinal),
    };

    /// <summary>Shows an estimate as hours:minutes:seconds, counting every hour: a large batch can take days.</summary>
    internal static string Eta(TimeSpan? remaining) => remaining is { } eta
        ? string.Create(CultureInfo.InvariantCulture, $"{(long)eta.TotalHours:00}:{eta.Minutes:00}:{eta.Seconds:00}")
        : "--:--:--";

    private static string Money(decimal usd) => "$" + usd.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Counts what the run did, item by item, for the closing summary.</summary>
    private sealed class BatchSummary
    {
        private readonly Dictionary<string, int> _imagesPerModel = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _requestsPerModel = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _decisions = new(StringComparer.Ordinal);
        // The first failures are kept for the report; the rest only counted by exit code, so memory stays flat.
        private const int FailuresKept = 20;
        private readonly List<BatchFailure> _failures = [];
        private readonly Dictionary<int, int> _failuresByCode = [];
        private int _failed;
        private int _succeeded;
        private int _skipped;
        private decimal _cost;

        public int Total { get; set; }

        public string OutDir { get; set; } = string.Empty;

        public bool Cancelled { get; set; }

        public int Done => _succeeded + _skipped + _failed;

        // The failure that most needs the user's hand decides: a key or a budget stops every later run too.
        public int ExitCode => Cancelled ? ExitCodes.Cancelled
            : _failed == 0 ? ExitCodes.Success
            : _failuresByCode.ContainsKey(ExitCodes.Unauthorized) ? ExitCodes.Unauthorized
            : _failuresByCode.ContainsKey(ExitCodes.BudgetExceeded) ? ExitCodes.BudgetExceeded
            : _failuresByCode.GetValueOrDefault(ExitCodes.Unavailable) == _failed ? ExitCodes.Unavailable
            : ExitCodes.Other;

        public void Add(BatchItemResult item)
        {
            _decisions[item.Decision.ToString()] = _decisions.GetValueOrDefault(item.Decision.ToString()) + 1;

            // Every attempt but a skipped one (open breaker) put a request on the wire.
            foreach (var attempt in item.Attempts.Where(a => a.Outcome != AttemptOutcome.CircuitOpen))
            {
                _requestsPerModel[attempt.Model] = _requestsPerModel.GetValueOrDefault(attempt.Model) + 1;
            }

            switch (item.Status)
            {
                case BatchItemStatus.Succeeded:
                    _succeeded++;
                    _imagesPerModel[item.Model!] = _imagesPerModel.GetValueOrDefault(item.Model!) + 1;
                    break;
                case BatchItemStatus.Skipped:
                    _skipped++;
                    break;
                default:
                    var code = item.Error is NanoBananaException e ? ExitCodes.For(e) : ExitCodes.Other;
                    _failed++;
                    _failuresByCode[code] = _failuresByCode.GetValueOrDefault(code) + 1;
                    if (_failures.Count < FailuresKept)
                    {
                        _failures.Add(new BatchFailure(item.Index, Failure(item.Error), item.Error?.Message ?? string.Empty, code));
                    }

                    break;
            }

            _cost += item.CostUsd ?? 0;
        }

        public BatchReport ToReport() => new()
        {
            Ok = !Cancelled && _failed == 0,
            Cancelled = Cancelled,
            Total = Total,
            Succeeded = _succeeded,
            Failed = _failed,
            Skipped = _skipped,
            Pending = Total - Done,
            CostUsd = _cost,
            SharePerModel = _imagesPerModel.ToDictionary(p => p.Key, p => Math.Round((double)p.Value / _succeeded, 4), StringComparer.Ordinal),
            ImagesPerModel = new Dictionary<string, int>(_imagesPerModel, StringComparer.Ordinal),
            RequestsSent = _requestsPerModel.Values.Sum(),
            RequestsPerModel = new Dictionary<string, int>(_requestsPerModel, StringComparer.Ordinal),
            Decisions = new Dictionary<string, int>(_decisions, StringComparer.Ordinal),
            OutDir = OutDir,
            Failures = [.. _failures],
        };
    }

    /// <summary>A bar redrawn in place on stderr, at most ten times a second.</summary>
    private sealed class ProgressBar(TextWriter output) : IProgress<BatchProgress>
    {
        private readonly Stopwatch _sinceDrawn = Stopwatch.StartNew();
        private BatchProgress? _last;

        public void Report(BatchProgress value)
        {
            _last = value;
            if (_sinceDrawn.ElapsedMilliseconds >= 100 || value.Done == value.Total)
            {
                Draw(value);
            }
        }

        public void Finish()
        {
            if (_last is not null)
            {
                Draw(_last);
                output.WriteLine();
            }
        }

        private void Draw(BatchProgress p)
        {
            _sinceDrawn.Restart();
            const int Width = 30;
            var total = Math.Max(1, p.Total ?? p.Done);
            var filled = (int)Math.Round((double)p.Done / total * Width);
            var state = p.WaitingUntil is { } until
                ? $"waiting for off-peak until {until:HH:mm} UTC"
                : $"in flight {p.InFlight}/{p.ConcurrencyLimit}  ETA {Eta(p.EstimatedRemaining)}";
            output.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {p.Done}/{total}  ok {p.Succeeded}  failed {p.Failed}  skipped {p.Skipped}  {Money(p.CostUsd)}  {state}   ");
        }
    }
}

/// <summary>The one JSON object <c>batch --json</c> prints at the end.</summary>
internal sealed record BatchReport
{
    public required bool Ok { get; init; }

    public required bool Cancelled { get; init; }

    public required int Total { get; init; }

    public required int Succeeded { get; init; }

    public required int Failed { get; init; }

    public required int Skipped { get; init; }

    public required int Pending { get; init; }

    public required decimal CostUsd { get; init; }

    public required Dictionary<string, double> SharePerModel { get; init; }

    public required Dictionary<string, int> ImagesPerModel { get; init; }

    public required int RequestsSent { get; init; }

    public required Dictionary<string, int> RequestsPerModel { get; init; }

    public required Dictionary<string, int> Decisions { get; init; }

    public required string OutDir { get; init; }

    public required IReadOnlyList<BatchFailure> Failures { get; init; }
}

/// <summary>One failed item in the JSON summary.</summary>
internal sealed record BatchFailure(int Index, string Error, string Message, [property: JsonIgnore] int Code);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BatchReport))]
internal sealed partial class BatchCliJsonContext : JsonSerializerContext;
