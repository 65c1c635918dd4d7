namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>
/// Tests that measure process-wide figures (total allocations, heap size, sockets, thread pool, unobserved task
/// exceptions) run alone, after the parallel ones, so no other test's traffic lands in their numbers.
/// </summary>
[CollectionDefinition(nameof(Measured), DisableParallelization = true)]
public sealed class Measured;
