using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace NanoBanana.Cli;

/// <summary>The <c>nanobanana</c> command line: its commands, usage errors, and the last line of defence against a bug.</summary>
internal static class NanoBananaCli
{
    private const string Description = """
        nanobanana — images from Gemini's Nano Banana models, resiliently: retries with backoff, breakers, and the
        fallback from Nano Banana 2 to Nano Banana Pro.

        Configuration: appsettings.json, user secrets, or environment variables
          NanoBanana__BaseAddress, NanoBanana__ApiKey, NanoBanana__Models__0__Id, …

        Exit codes: 0 ok · 2 usage or configuration · 3 content blocked · 4 service unavailable
                    5 unauthorized or payment · 6 budget exceeded · 130 cancelled · 1 other
        """;

    /// <summary>
    /// The root is named here rather than after the running executable (what <see cref="RootCommand"/> does), so help
    /// reads "nanobanana" however the tool is started: as the installed tool, through dotnet run, or in a test host.
    /// </summary>
    public static Command CreateRootCommand(CliContext context) => new("nanobanana", Description)
    {
        new HelpOption(),
        new VersionOption(),
        GenerateCommand.Create(context),
        DemoCommand.Create(context),
        SimulateCommand.CreateCommand(context),
        BatchCommand.Create(context),
        ServeCommand.Create(context),
    };

    /// <summary>Parses and runs one command line; never throws, and answers every failure with its exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        var json = args.Contains("--json");
        try
        {
            var parsed = CreateRootCommand(context).Parse(args);
            if (parsed.Action is ParseErrorAction)
            {
                var command = parsed.CommandResult.Command;
                var path = command.Name == "nanobanana" ? command.Name : "nanobanana " + command.Name;
                var message = string.Join(Environment.NewLine, parsed.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
                    + Environment.NewLine + $"Run '{path} --help' for usage.";
                return CliOutput.Fail(json, context, ExitCodes.Usage, "Usage", message);
            }

            // Signals are the program's (see Program.cs): the parser's own handler would end the process on a timer.
            var invocation = new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parsed.InvokeAsync(invocation, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return CliOutput.Fail(json, context, ExitCodes.Cancelled, "Cancelled", "Cancelled.");
        }
        catch (UsageException e)
        {
            return CliOutput.Fail(json, context, ExitCodes.Usage, e is ConfigurationException ? "Configuration" : "Usage", e.Message);
        }
        catch (Exception e)
        {
            return CrashReport.Write(e, json, context);
        }
    }
}
