using BenchmarkDotNet.Running;
using NanoBananaResilience.Benchmarks.Held;

// `--held` runs the held-at-once measurement, which BenchmarkDotNet cannot report; anything else goes to
// BenchmarkDotNet (for example `--filter '*' --job short`). See docs/benchmarks.md.
if (args is ["--held"])
{
    await HeldMemory.RunAsync(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(HeldMemory).Assembly).Run(args);
