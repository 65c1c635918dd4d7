using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli;

/// <summary>
/// <c>nanobanana demo</c>: the real client against the simulated gateway, in-process, on a virtual clock. No key,
/// no network. It picks a simulated morning on which Nano Banana 2 is overloaded just before the peak window and
/// makes three calls, narrating every attempt as it happens: retries with backoff, the breaker opening, the
/// switch to Pro, a skipped model, and the chain reversed at 10:00 UTC.
/// </summary>
internal static class DemoCommand
{
    private static readonly DateTimeOffset FirstDay = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public static Command Create(CliContext context)
    {
        var output = CliOptions.OutputFile("--out", "Where to save the first image (default nanobanana-demo with the image's extension).");
        var seed = CliOptions.Seed(7, "Drives the simulated gateway and the client's jitter: the same seed tells the same story.");
        var protocol = CliOptions.Choice("--protocol", GatewayProtocol.OpenAICompatible, "How the client reaches the simulated endpoint: openaicompatible (chat/completions, the default) or googlenative (Google's own generateContent).");
        var json = CliOptions.Json();
        var command = new Command("demo", "No key, no network: a simulated bad morning, narrated live; writes the first image.") { output, seed, protocol, json };
        command.SetAction((parsed, cancellationToken) => RunAsync(context, new DemoSettings(parsed.GetValue(seed), parsed.GetValue(protocol), parsed.GetValue(output), parsed.GetValue(json)), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return await RunDemoAsync(context, settings, cancellationToken);
        }
        catch (ImageNotSavedException e)
        {
            return CliOutput.Fail(settings.Json, context, ExitCodes.Other, "IOError", e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return CliOutput.Fail(settings.Json, context, ExitCodes.Cancelled, "Cancelled", "Cancelled.");
        }
    }

    private static async Task<int> RunDemoAsync(CliContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        var (seed, protocol, output, json) = settings;
        var (stdout, stderr) = (context.Out, context.Error);
        var clock = new VirtualTimeProvider(FirstDay);
        var world = new SimulatedGeminiOptions { Seed = seed, RotateResponseShapes = true };
        world.Models[SimulatedModels.NanoBanana2].ImageFormat = SimulatedImageFormat.Png;
        world.Models[SimulatedModels.NanoBananaPro].ImageFormat = SimulatedImageFormat.Png;
        var simulator = new SimulatedGeminiHandler(world, clock);
        var morning = FindBadMorning(simulator);
        clock.Advance(morning - clock.GetUtcNow());

        var say = json ? TextWriter.Null : stderr;
        say.WriteLine($"nanobanana demo — a simulated gateway in front of Gemini, on a virtual clock (seed {seed}); no key, no network.");
        say.WriteLine(protocol == GatewayProtocol.GoogleNative
            ? "Protocol: Google's own API, POST …/v1beta/models/{model}:generateContent with the key in x-goog-api-key."
            : "Protocol: OpenAI-compatible, POST …/v1/chat/completions with the key as a bearer token.");
        say.WriteLine($"On {morning:yyyy-MM-dd} Nano Banana 2 is in an overload episode from {Episode(simulator, morning):HH:mm} UTC. Chain: NB2 ×3 → Pro ×2; peak window [10:00, 14:00) UTC reverses it. A model is judged down after 3 failures in a row here and first probed a minute later (8 and 5 s by default).");
        say.WriteLine();

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Never dialled: the simulator answers in-process, at either API's address.
            ["NanoBanana:BaseAddress"] = protocol == GatewayProtocol.GoogleNative ? "http://127.0.0.1/v1beta/" : "http://127.0.0.1/v1/",
            ["NanoBanana:Protocol"] = protocol.ToString(),
            ["NanoBanana:ApiKey"] = "demo-key",

            // The default bar is eight failures in a row; three lets one call's failures show the skip in a short story.
            ["NanoBanana:CircuitBreaker:MinimumThroughput"] = "3",

            // And its first probe a minute later (5 s by default): Pro's answer to call 1 takes longer than that.
            ["NanoBanana:CircuitBreaker:BreakDuration"] = "00:01:00",
        }).Build();
        using var narrator = json ? null : new Narrator(stderr, stamp: () => clock.GetUtcNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        using var services = ClientFactory.Build(
            configuration,
            (s, http) =>
            {
                s.AddSingleton<TimeProvider>(clock);
                http.ConfigurePrimaryHttpMessageHandler(() => simulator).SetHandlerLifetime(Timeout.InfiniteTimeSpan);
            },
            narrator,
            Seeding.Randomizer(seed),
            context);
        var client = services.GetRequiredService<INanoBananaClient>();

        // Call 2 comes right after call 1, while NB2 is still judged down.
        var calls = new (string Title, DateTimeOffset? At, string Prompt)[]
        {
            ("1. Just before the peak: NB2 is overloaded", morning, "a nano banana in a tiny spacesuit"),
            ("2. Moments later: NB2 is judged down, so it is not even tried", null, "a banana-shaped lighthouse at dusk"),
            ("3. 10:05 UTC, inside the peak window: the chain is reversed, Pro goes first", morning.Date.AddHours(10).AddMinutes(5), "a banana split on the moon"),
        };

        NanoBananaResult? first = null;
        decimal total = 0;
        var reports = new List<JsonReport>();
        foreach (var (title, at, prompt) in calls)
        {
            var start = at ?? clock.GetUtcNow().AddSeconds(5);
            if (start > clock.GetUtcNow())
            {
                clock.Advance(start - clock.GetUtcNow());
            }

            say.WriteLine($"{Honest(title, client)}  [{clock.GetUtcNow():HH:mm:ss} UTC]  \"{prompt}\"");
            try
            {
                var result = await clock.RunAsync(() => client.GenerateAsync(prompt, cancellationToken), cancellationToken);
                first ??= result;
                total += result.EstimatedCostUsd ?? 0;
                say.WriteLine($"  ✔ {result.Image.MediaType} {result.Image.Width}×{result.Image.Height} from {result.Model} after {result.Attempts.Count} step(s), est. ${result.EstimatedCostUsd?.ToString("0.000", CultureInfo.InvariantCulture)}");
                reports.Add(JsonReport.Success(result, []));
            }
            catch (NanoBananaException e)
            {
                say.WriteLine($"  ✘ {e.Outcome}: {e.Message}");
                reports.Add(JsonReport.Failure(e.Outcome.ToString(), e.Message, e));
            }

            say.WriteLine();
        }

        if (first is null)
        {
            return CliOutput.Fail(json, context, ExitCodes.Unavailable, "ServiceUnavailable", "The simulated day was too bad for every call.");
        }

        var files = await GenerateCommand.SaveAsync(first, output ?? "nanobanana-demo" + first.Image.FileExtension, cancellationToken);
        var sent = simulator.Statistics.TotalRequests;
        if (json)
        {
            // The first image's report, as generate prints it, with every call of the story beside it.
            var firstReport = reports.First(r => r.Ok);
            stdout.WriteLine((firstReport with { Files = files, Calls = reports, RequestsSent = sent }).ToJson());
        }
        else
        {
            stdout.WriteLine($"Wrote {files[0]} ({first.Image.Data.Length} bytes, {first.Image.MediaType}).");
            stdout.WriteLine($"Three images, {sent} requests sent ({simulator.Statistics.GetCount(SimulatedModels.NanoBanana2)} to NB2, {simulator.Statistics.GetCount(SimulatedModels.NanoBananaPro)} to Pro), estimated ${total.ToString("0.000", CultureInfo.InvariantCulture)} at Google's list prices.");
            stdout.WriteLine("Trail of the first call:");
            foreach (var attempt in first.Attempts)
            {
                stdout.WriteLine($"  {attempt}");
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// The second call's heading promises NB2's open breaker; when the first call got through on NB2 after all, the
    /// breaker is closed and the heading says what really happens instead.
    /// </summary>
    private static string Honest(string title, INanoBananaClient client)
        => title.StartsWith("2.", StringComparison.Ordinal)
            && client.GetModelStatuses().FirstOrDefault(m => m.Model == SimulatedModels.NanoBanana2) is { } nb2
            && nb2.BreakerState == ModelBreakerState.Closed && nb2.RestingUntil is null
                ? "2. Moments later: NB2 is not judged down, so NB2 is tried first again"
                : title;

    /// <summary>The first simulated morning with NB2 overloaded at 09:40 and Pro up then and at 10:05.</summary>
    private static DateTimeOffset FindBadMorning(SimulatedGeminiHandler simulator)
    {
        for (var day = 0; day < 365; day++)
        {
            var at = FirstDay.AddDays(day).AddHours(9).AddMinutes(40);
            var peak = at.Date.AddHours(10).AddMinutes(5);
            if (simulator.IsOverloaded(SimulatedModels.NanoBanana2, at)
                && simulator.IsOverloaded(SimulatedModels.NanoBanana2, at.AddMinutes(2))
                && !simulator.IsOverloaded(SimulatedModels.NanoBananaPro, at)
                && !simulator.IsOverloaded(SimulatedModels.NanoBananaPro, at.AddMinutes(2))
                && !simulator.IsOverloaded(SimulatedModels.NanoBananaPro, peak))
            {
                return at;
            }
        }

        return FirstDay.AddHours(9).AddMinutes(40);
    }

    private static DateTimeOffset Episode(SimulatedGeminiHandler simulator, DateTimeOffset at)
    {
        var episodes = simulator.GetOverloadEpisodes(SimulatedModels.NanoBanana2, at.AddHours(-12), at);
        return episodes.Count > 0 ? episodes[^1].Start : at;
    }

    private readonly record struct DemoSettings(int Seed, GatewayProtocol Protocol, string? Output, bool Json);
}
