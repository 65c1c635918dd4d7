using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary>
/// <c>nanobanana batch PROMPTS.txt --out-dir DIR</c>: one image per line of the file, a few at a time, into a folder that
/// keeps a manifest, so running the same command again after a crash or Ctrl+C finishes the job without paying twice.
/// </summary>
internal static class BatchCommand
{
    // Readable output: arrows and quotes as themselves, not \u escapes.
    private static readonly JsonSerializerOptions JsonOptions = new(BatchCliJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("prompts") { Description = "A text file: one prompt a line; blank lines and lines starting with # are skipped.", HelpName = "PROMPTS.txt" };
        file.Validators.Add(result => CliOptions.MustExist(result, [result.GetValueOrDefault<string>()], "The prompts file"));
        var outDir = CliOptions.OutputFolder("--out-dir", "The folder for the images and the manifest that makes the run resumable.");
        outDir.Required = true;
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "Items in flight at most (the batch lowers it while the gateway is overloaded).",
            HelpName = "N",
            DefaultValueFactory = _ => 4,
            CustomParser = result => CliOptions.WholeNumber(result, "--concurrency", 1, 1024, "from 1 to 1024"),
        };
        var offPeak = new Option<bool>("--prefer-off-peak") { Description = "Hold items until the UTC peak window is over, when --deadline leaves time." };
        var deadline = new Option<TimeSpan?>("--deadline")
        {
            Description = "How long items may wait for off-peak: 12h, 90m, 45s, 2d or h:mm[:ss].",
            HelpName = "DURATION",
            CustomParser = result =>
            {
                try
                {
                    return Duration(result.Tokens[^1].Value);
                }
                catch (UsageException e)
                {
                    result.AddError(e.Message);
                    return null;
                }
            },
        };
        var size = CliOptions.Size();
        var ratio = CliOptions.AspectRatioOption();
        var json = CliOptions.Json();
        var command = new Command("batch", "Many prompts, a few at a time, into a folder; run the same command again to finish an interrupted run without paying twice.")
        {
            file, outDir, concurrency, offPeak, deadline, size, ratio, json,
        };
        command.Validators.Add(result =>
        {
            // Presence, not value: a deadline that did not parse has its own error already.
            if (result.GetValue(offPeak) != result.GetResult(deadline) is not null)
            {
                result.AddError("--prefer-off-peak and --deadline go together: the deadline says how long items may wait for off-peak.");
            }
        });
        command.SetAction((parsed, cancellationToken) => RunAsync(
            context,
            new Settings(parsed.GetValue(file)!, parsed.GetValue(outDir)!, parsed.GetValue(concurrency), parsed.GetValue(deadline), parsed.GetValue(size), parsed.GetValue(ratio), parsed.GetValue(json)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (stdout, stderr, json) = (context.Out, context.Error, settings.Json);
        var summary = new BatchSummary();
        var sent = new RequestCounter();
        var (progress, live) = context.Progress(json);
        try
        {
            var requests = await ReadPromptsAsync(settings, cancellationToken);

            // A live bar at a terminal; otherwise a line per attempt and wait, so a redirected run is never silent.
            using var narrator = live ? null : new Narrator(progress);
            using var services = ClientFactory.Build(context.LoadConfiguration(), (_, http) => http.AddHttpMessageHandler(() => sent), narrator, context: context);
            var client = services.GetRequiredService<INanoBananaClient>();
            // The batch takes the client's clock and peak window from the client itself.
            var options = new BatchOptions
            {
                OutputDirectory = settings.OutDir,
                MaxConcurrency = settings.Concurrency,
                Scheduling = settings.Deadline is null ? BatchScheduling.Immediate : BatchScheduling.PreferOffPeak,
            };
            if (settings.Deadline is { } wait)
            {
                options.Deadline = client.Schedule.TimeProvider.GetUtcNow() + wait;
            }

            var bar = live ? new ProgressBar(progress) : null;
            options.Progress = bar ?? (IProgress<BatchProgress>)new WaitLines(narrator!);
            summary.Total = requests.Count;
            summary.OutDir = Path.GetFullPath(options.OutputDirectory!);
            try
            {
                await foreach (var item in client.GenerateBatchAsync(requests, options, cancellationToken))
                {
                    summary.Add(item);
                    narrator?.Say(Line(item, summary));
                }
            }
            finally
            {
                bar?.Finish();
                summary.RequestsSent = sent.Count;
            }

            Print(json, stdout, summary);
            return summary.ExitCode;
        }
        catch (UsageException e)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Usage, e is ConfigurationException ? "Configuration" : "Usage", e.Message);
        }
        catch (ArgumentException e)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Usage, "Usage", CliOutput.Plain(e));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            summary.Cancelled = true;
            summary.RequestsSent = sent.Count;
            Print(json, stdout, summary);
            if (!json)
            {
                stderr.WriteLine("Cancelled. Run the same command again to finish: saved images are kept and skipped.");
            }

            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return GenerateCommand.Fail(json, stdout, stderr, ExitCodes.Other, "IOError", CliOutput.CannotWrite(settings.OutDir, e));
        }
    }

    private static async Task<List<NanoBananaRequest>> ReadPromptsAsync(Settings settings, CancellationToken cancellationToken)
    {
        // One prompt a line; blank lines and lines starting with # are skipped.
        var requests = (await File.ReadAllLinesAsync(settings.File, cancellationToken))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => new NanoBananaRequest(line) { Size = settings.Size, AspectRatio = settings.AspectRatio })
            .ToList();
        return requests.Count > 0 ? requests : throw new UsageException($"The prompts file '{settings.File}' has no prompts (one a line; # starts a comment).");
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
        if (summary.ExitCode == ExitCodes.Usage)
        {
            stdout.WriteLine("  the gateway knows none of the configured models: set NanoBanana:Models to ids it serves, then run the same command again.");
        }
        else if (report.Failed > 0)
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

        /// <summary>Gets or sets the requests put on the wire, counted as they left: with those a cancellation cut off.</summary>
        public long RequestsSent { get; set; }

        public int Done => _succeeded + _skipped + _failed;

        // The failure that most needs the user's hand decides: a key or a budget stops every later run too.
        public int ExitCode => Cancelled ? ExitCodes.Cancelled
            : _failed == 0 ? ExitCodes.Success
            : _failuresByCode.ContainsKey(ExitCodes.Usage) ? ExitCodes.Usage
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
                        var message = item.Error is NanoBananaException { IsUnknownModels: true, Attempts.Count: > 0 } unknown ? ExitCodes.UnknownModels(unknown) : item.Error?.Message;
                        _failures.Add(new BatchFailure(item.Index, Failure(item.Error), message ?? string.Empty, code));
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
            RequestsSent = RequestsSent,
            RequestsPerModel = new Dictionary<string, int>(_requestsPerModel, StringComparer.Ordinal),
            Decisions = new Dictionary<string, int>(_decisions, StringComparer.Ordinal),
            OutDir = OutDir,
            Failures = [.. _failures],
        };
    }

    private sealed record Settings(string File, string OutDir, int Concurrency, TimeSpan? Deadline, ImageSize? Size, AspectRatio? AspectRatio, bool Json);

    /// <summary>Counts the requests that leave for the gateway, including those a cancellation cuts off on the wire.</summary>
    private sealed class RequestCounter : DelegatingHandler
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _ = Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>In line mode, a line when the batch starts or stops holding items for off-peak.</summary>
    private sealed class WaitLines(Narrator narrator) : IProgress<BatchProgress>
    {
        private DateTimeOffset? _waitingUntil;

        public void Report(BatchProgress value)
        {
            if (value.WaitingUntil == _waitingUntil)
            {
                return;
            }

            _waitingUntil = value.WaitingUntil;
            narrator.Say(value.WaitingUntil is { } until
                ? $"  … holding {value.Total - value.Done} item(s) for off-peak, until {until:HH:mm} UTC"
                : "  → off-peak: sending again");
        }
    }

    /// <summary>A bar redrawn in place at a terminal, at most ten times a second.</summary>
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

    public required long RequestsSent { get; init; }

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
