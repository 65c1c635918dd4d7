using BenchmarkDotNet.Running;
using NanoBananaResilience.Benchmarks.Held;

// `--held` runs the held-at-once measurement, which BenchmarkDotNet cannot report (each case in a child
// process started with `--held <path> <framing>`); anything else goes to BenchmarkDotNet, for example
// `--filter '*' --job short --inProcess`. See docs/benchmarks.md.
switch (args)
{
    case ["--held"]:
        await HeldMemory.RunAllAsync(Console.Out);
        break;
    case ["--held", var path, var framing]:
        await HeldMemory.RunOneAsync(path, framing, Console.Out);
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(HeldMemory).Assembly).Run(args);
        break;
}
