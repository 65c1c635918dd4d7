using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Simulation;

/// <summary>When calls arrive inside each simulated day.</summary>
internal enum SimulationWindow
{
    /// <summary>Over the whole UTC day.</summary>
    Day,

    /// <summary>Over the article's peak, 10:00–14:00 UTC.</summary>
    Peak,
}

/// <summary>How calls are spread over the window.</summary>
internal enum ArrivalPattern
{
    /// <summary>Each call at its own uniformly drawn instant.</summary>
    Uniform,

    /// <summary>Batches of 20–200 calls at one instant each, as a batch job sends them.</summary>
    Bursty,
}

/// <summary>One simulated period: the world, its seed, and the calls that arrive in it. Every strategy sees the same.</summary>
internal sealed record SimulationSetup(SimulatedWorld World, int Seed, int Days, SimulationWindow Window, int Requests, ArrivalPattern Arrivals)
{
    /// <summary>The first simulated day, a Monday.</summary>
    public static readonly DateTimeOffset FirstDay = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Every strategy's calls end by this long after they arrive: the library's default TotalTimeout.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    public TimeSpan WindowStart => Window == SimulationWindow.Peak ? TimeSpan.FromHours(10) : TimeSpan.Zero;

    public TimeSpan WindowEnd => Window == SimulationWindow.Peak ? TimeSpan.FromHours(14) : TimeSpan.FromDays(1);

    /// <summary>A fresh simulator's options for this world: every strategy gets its own, equal, simulator.</summary>
    public SimulatedGeminiOptions CreateWorldOptions() => new() { Seed = Seed, World = World, RequestLogCapacity = 0 };

    public string Describe() => $"world {World.ToString().ToLowerInvariant()}, seed {Seed}, {Days} day(s) from {FirstDay:yyyy-MM-dd}, {Window.ToString().ToLowerInvariant()} window, {Requests} calls ({Arrivals.ToString().ToLowerInvariant()})";
}
