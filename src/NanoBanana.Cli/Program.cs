using System.Runtime.InteropServices;
using System.Text;
using NanoBanana.Cli;

Console.OutputEncoding = Encoding.UTF8;
using var cancellation = new CancellationTokenSource();

// The first Ctrl+C or SIGTERM cancels the command, which unwinds and reports; a second Ctrl+C kills the process.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    cancellation.Cancel();
});

return await NanoBananaCli.RunAsync(args, CliContext.FromConsole(), cancellation.Token);
