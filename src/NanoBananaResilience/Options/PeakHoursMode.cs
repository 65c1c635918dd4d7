namespace NanoBananaResilience;

/// <summary>How a call's chain is ordered (<see cref="PeakHoursOptions.Mode"/>).</summary>
public enum PeakHoursMode
{
    /// <summary>The chain as configured, reversed inside the peak window: predictable, and what the 503 article does.</summary>
    Clock,

    /// <summary>
    /// Learned per model and per UTC hour: a model keeps its place in an hour where its attempts have been getting
    /// images (at least four times in five), and goes behind the others in an hour where they have not. Before there is
    /// evidence, the peak window is the belief: the chain's first model is expected to do poorly inside it, so calls
    /// start as the clock would order them and move the cheaper model back to the front as its answers show it can.
    /// A share of calls keeps trying a demoted model first, so a model that recovers is noticed.
    /// </summary>
    Adaptive,
}
