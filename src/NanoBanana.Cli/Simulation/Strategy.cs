using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Simulation;

/// <summary>What one call of a strategy achieved: an image or not, and from which model.</summary>
internal readonly record struct CallResult(bool Success, string? Model)
{
    public static readonly CallResult Failed = new(false, null);
}

/// <summary>What a strategy gets to work with: the run's virtual clock, its own simulator, a plain client on it, the seed.</summary>
internal sealed record StrategyContext(VirtualTimeProvider Clock, SimulatedGeminiHandler Simulator, HttpClient Http, int Seed);

/// <summary>A strategy prepared for one run; a call is identified by its index in the run's arrivals.</summary>
internal interface IStrategyRun : IDisposable
{
    /// <summary>Makes call <paramref name="index"/>; <paramref name="deadline"/> is cancelled when the call's time is up.</summary>
    Task<CallResult> CallAsync(int index, CancellationToken deadline);
}

/// <summary>A named retry/fallback strategy that can be run against a simulated world.</summary>
internal sealed record Strategy(string Name, string Description, Func<StrategyContext, IStrategyRun> Prepare);

/// <summary>The simulation itself went wrong (not a strategy): its numbers must not be reported.</summary>
internal sealed class SimulationHarnessException : Exception
{
    public SimulationHarnessException()
    {
    }

    public SimulationHarnessException(string message)
        : base(message)
    {
    }

    public SimulationHarnessException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
