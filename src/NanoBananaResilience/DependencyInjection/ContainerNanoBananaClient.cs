using System.Diagnostics.CodeAnalysis;

namespace NanoBananaResilience;

/// <summary>
/// The client dependency injection hands out. It is deliberately not disposable: the container owns the engine (a
/// singleton it disposes itself), and it keeps every disposable transient it creates until the scope ends — for root
/// resolutions, until the application stops, holding each typed client's <see cref="HttpClient"/> and with it a
/// message handler the factory would otherwise have recycled.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The wrapped client does not own the engine (ownsEngine: false): disposing it would release nothing.")]
internal sealed class ContainerNanoBananaClient : INanoBananaClient
{
    private readonly NanoBananaClient _client;

    // The options were validated when the engine was built from them.
    public ContainerNanoBananaClient(HttpClient http, NanoBananaEngine engine) => _client = new NanoBananaClient(http, engine, ownsEngine: false);

    public Task<NanoBananaResult> GenerateAsync(string prompt, CancellationToken cancellationToken = default)
        => _client.GenerateAsync(prompt, cancellationToken);

    public Task<NanoBananaResult> GenerateAsync(NanoBananaRequest request, CancellationToken cancellationToken = default)
        => _client.GenerateAsync(request, cancellationToken);

    public IReadOnlyList<ModelStatus> GetModelStatuses() => _client.GetModelStatuses();

    public INanoBananaCostMeter Costs => _client.Costs;

    public NanoBananaSchedule Schedule => _client.Schedule;
}
