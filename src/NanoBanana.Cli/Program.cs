using System.Text;
using NanoBanana.Cli;

Console.OutputEncoding = Encoding.UTF8;
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the call unwind and report; a second Ctrl+C still kills the process
    cancellation.Cancel();
};

const string Usage = $"""
    nanobanana — resilient image generation with Gemini's Nano Banana models

    Usage:
      {GenerateCommand.Usage}
      nanobanana demo [--out FILE] [--seed N] [--json]     no key, no network: a simulated bad day, narrated
      {SimulateCommand.Usage}
                                                           strategies compared over a simulated day
      {BatchCommand.Usage}
                                                           many prompts, resumable, progress on stderr

    Configuration: appsettings.json, user secrets, or environment variables
      NanoBanana__BaseAddress, NanoBanana__ApiKey, NanoBanana__Models__0__Id, …

    Exit codes: 0 ok · 2 usage/configuration · 3 content blocked · 4 service unavailable
                5 unauthorized/payment · 6 budget exceeded · 130 cancelled · 1 other
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Success;
}

var rest = args[1..];
return args[0] switch
{
    "generate" => await GenerateCommand.RunAsync(rest, Console.Out, Console.Error, cancellation.Token),
    "demo" => await DemoCommand.RunAsync(rest, Console.Out, Console.Error, cancellation.Token),
    "simulate" => await SimulateCommand.RunAsync(rest, Console.Out, Console.Error, cancellation.Token),
    "batch" => await BatchCommand.RunAsync(rest, Console.Out, Console.Error, cancellation.Token),
    _ => GenerateCommand.Fail(args.Contains("--json"), Console.Out, Console.Error, ExitCodes.Usage, "Usage", $"Unknown command '{args[0]}'.{Environment.NewLine}{Usage}"),
};
