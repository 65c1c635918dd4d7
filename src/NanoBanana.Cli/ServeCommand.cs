using System.CommandLine;
using System.Globalization;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli;

/// <summary>
/// <c>nanobanana serve</c>: the simulated gateway on 127.0.0.1 (the same simulation the demo runs in-process), so
/// <c>generate</c> and <c>batch</c> — or any client — can be tried without a key or a network. Ctrl+C or SIGTERM
/// stops it cleanly.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port")
        {
            Description = "The loopback port to listen on; 0 picks a free one.",
            HelpName = "N",
            DefaultValueFactory = _ => 0,
            CustomParser = result => CliOptions.WholeNumber(result, "--port", 0, 65535, "such as 8080"),
        };
        var seed = CliOptions.Seed(7, "Drives the simulated overloads and answers: the same seed, the same day.");
        var world = CliOptions.Choice("--world", SimulatedWorld.Episodes, "How overloads arrive: episodes (the default), partial, noise or shared; see docs/simulation.md.");
        var latency = new Option<double>("--latency-scale")
        {
            Description = "Scales the simulated latency: 1 is realistic (10–60 s an image), 0 answers at once.",
            HelpName = "X",
            DefaultValueFactory = _ => 1,
            CustomParser = result => double.TryParse(result.Tokens[^1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x is >= 0 and <= 100
                ? x
                : Error<double>(result, $"--latency-scale '{result.Tokens[^1].Value}' is not a number from 0 to 100, such as 0.1."),
        };
        var command = new Command("serve", "The simulated Gemini gateway on 127.0.0.1, for trying generate and batch offline; Ctrl+C stops it.")
        {
            port, seed, world, latency,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(context, parsed.GetValue(port), parsed.GetValue(seed), parsed.GetValue(world), parsed.GetValue(latency), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, int port, int seed, SimulatedWorld world, double latency, CancellationToken cancellationToken)
    {
        await using var server = new SimulatedGeminiServer(new SimulatedGeminiOptions { Seed = seed, World = world, LatencyScale = latency }) { Port = port };
        try
        {
            await server.StartAsync(cancellationToken);
        }
        catch (IOException)
        {
            // Kestrel's words name the address and the socket error; the fix is the user's choice of port.
            return CliOutput.Fail(false, context, ExitCodes.Usage, "Usage", $"--port {port} is taken on 127.0.0.1; choose another, or leave --port out to get a free one.");
        }

        // stdout carries the one line a script needs; the explanation goes to stderr.
        context.Out.WriteLine($"NanoBanana__BaseAddress={server.BaseAddress}");
        await context.Out.FlushAsync(cancellationToken);
        context.Error.WriteLine($"""
            nanobanana serve — the simulated gateway ({world.ToString().ToLowerInvariant()} world, seed {seed}) on {server.BaseAddress}; any API key is accepted. Ctrl+C stops it.
            Try it from another terminal:
              export NanoBanana__BaseAddress={server.BaseAddress} NanoBanana__ApiKey=offline
              nanobanana generate "a nano banana in a spacesuit" --out banana.png
            """);

        await server.RunAsync(cancellationToken);
        context.Error.WriteLine($"Stopped after {server.Handler.Statistics.TotalRequests} request(s).");
        return ExitCodes.Success;
    }

    private static T Error<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
