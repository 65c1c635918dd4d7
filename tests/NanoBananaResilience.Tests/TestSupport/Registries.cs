using Microsoft.Extensions.Logging.Abstractions;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>Route registries built as an engine builds them, for the routing layer's unit tests.</summary>
internal static class Registries
{
    public static RouteRegistry Create(NanoBananaOptions options, IReadOnlyList<ModelOptions> chain, Func<double>? random = null, INanoBananaSharedState? shared = null)
    {
        var keys = new ModelKeys(chain.Select(m => m.Id));
        var telemetry = new CallTelemetry(new NanoBananaMetrics(null), NullLogger.Instance, keys);
        return new RouteRegistry(options, chain, keys, telemetry, TimeProvider.System, random ?? (() => 0.0), NullLoggerFactory.Instance, shared);
    }
}
