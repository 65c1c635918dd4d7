using System.Diagnostics;
using System.Text.Json;
using NanoBananaResilience.Redis.Worker;

namespace NanoBananaResilience.Redis.Tests.TestSupport;

/// <summary>
/// Client processes for the fleet tests: each is <c>dotnet NanoBananaResilience.Redis.Worker.dll</c>, a separate OS
/// process that runs the jobs it is sent (one JSON line each) and answers each with a result line. Every process is
/// ended on disposal.
/// </summary>
internal sealed class Fleet : IDisposable
{
    private readonly List<Process> _processes = [];

    public Fleet(int size)
    {
        var worker = WorkerPath();
        for (var i = 0; i < size; i++)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(worker);
            var process = Process.Start(start) ?? throw new InvalidOperationException("the worker did not start");
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    Errors.Enqueue(line);
                }
            };
            process.BeginErrorReadLine();
            _processes.Add(process);
        }
    }

    public System.Collections.Concurrent.ConcurrentQueue<string> Errors { get; } = new();

    public int Size => _processes.Count;

    /// <summary>Sends each process its job (all at once) and waits for every result.</summary>
    public async Task<Result[]> RunAsync(Func<int, Job> jobFor, TimeSpan timeout)
    {
        for (var i = 0; i < _processes.Count; i++)
        {
            await _processes[i].StandardInput.WriteLineAsync(JsonSerializer.Serialize(jobFor(i), WorkerJson.Default.Job));
            await _processes[i].StandardInput.FlushAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        var results = await Task.WhenAll(_processes.Select(async p =>
        {
            var line = await p.StandardOutput.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException("a worker ended: " + string.Join(Environment.NewLine, Errors));
            return JsonSerializer.Deserialize(line, WorkerJson.Default.Result)!;
        }));
        return results;
    }

    /// <summary>The worker's assembly, in its own output folder beside this project's (same configuration and framework).</summary>
    private static string WorkerPath()
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var tests = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(here)!)!)!)!;
        var path = Path.Combine(tests, "NanoBananaResilience.Redis.Worker", "bin", configuration, framework, "NanoBananaResilience.Redis.Worker.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the worker is not at " + path, path);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(5000))
                {
                    process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }
    }
}
