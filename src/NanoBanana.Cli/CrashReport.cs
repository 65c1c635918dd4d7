using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace NanoBanana.Cli;

/// <summary>
/// A failure nobody planned for is a bug: the user gets one line, exit code 1 and the path of a file holding the
/// details for a bug report — never a stack trace on the screen.
/// </summary>
internal static class CrashReport
{
    public static int Write(Exception exception, bool json, CliContext context)
    {
        var now = DateTime.UtcNow; // the composition root: the wall clock names the file
        var path = Path.Combine(context.LogDirectory, string.Create(CultureInfo.InvariantCulture, $"nanobanana-crash-{now:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log"));
        var version = typeof(CrashReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var details = $"nanobanana {version} on .NET {Environment.Version}, {RuntimeInformation.OSDescription}{Environment.NewLine}{now:O}{Environment.NewLine}{exception}{Environment.NewLine}";
        foreach (var secret in context.Secrets)
        {
            details = details.Replace(secret, "[redacted]", StringComparison.Ordinal);
        }

        string where;
        try
        {
            File.WriteAllText(path, details);
            where = $"The details are in {path}; please attach that file when you report it.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            where = "The details could not be saved either.";
        }

        return CliOutput.Fail(json, context, ExitCodes.Other, "InternalError", $"nanobanana stopped on a bug ({exception.GetType().Name}). {where}");
    }
}
