using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Resilience;

/// <summary>
/// Caller-chosen model ids cannot grow any per-model table past one cap: the engine's model state, the cost ledger's
/// totals, the tags of our meter and the pipeline instances of Polly's. Ids past the cap share one overflow key.
/// </summary>
public sealed class ModelKeysTests
{
    private const int DistinctIds = 1000;

    [Fact]
    public void Admit_PastTheCap_OverflowKeyAndNoGrowth()
    {
        var keys = new ModelKeys([Harness.Nb2, Harness.Pro]);

        var admitted = Enumerable.Range(0, 200).Select(i => keys.Admit($"m{i}")).ToList();

        Assert.Equal(ModelKeys.Capacity - 1, keys.Count); // one key is the overflow's
        Assert.Equal(ModelKeys.Overflow, admitted[^1]);
        Assert.Equal(Harness.Nb2, keys.KeyOf(Harness.Nb2));
        Assert.Equal(ModelKeys.Overflow, keys.KeyOf("never-admitted"));
    }

    [Fact]
    public async Task Admit_ConcurrentRace_NeverPassesTheCap()
    {
        var keys = new ModelKeys([]);
        using var start = new Barrier(8);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(
            () =>
            {
                start.SignalAndWait(TestContext.Current.CancellationToken);
                for (var i = 0; i < 500; i++)
                {
                    keys.Admit($"t{t}-m{i}");
                }
            },
            TestContext.Current.CancellationToken)));

        Assert.Equal(ModelKeys.Capacity - 1, keys.Count);
    }

    [Fact]
    public async Task GenerateAsync_1000DistinctModelIdsConcurrently_EveryPerModelTableStaysWithinTheCap()
    {
        var ids = Enumerable.Range(0, DistinctIds).Select(i => $"bounded-test/model-{i}").ToList();
        var handler = new ScriptedHandler();
        foreach (var id in ids)
        {
            handler.On(id, Replies.Image());
        }

        var ourTags = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var pollyInstances = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meterFactory || instrument.Meter.Name == NanoBananaDiagnostics.PipelineMeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var (key, value) in tags)
            {
                if (instrument.Meter.Scope == meterFactory && key is "gen_ai.request.model" or "gen_ai.response.model")
                {
                    ourTags.TryAdd($"{instrument.Name}|{key}|{value}", 0);
                }
                else if (key == "pipeline.instance" && value is string instance && (instance.StartsWith("bounded-test/", StringComparison.Ordinal) || instance == ModelKeys.Overflow))
                {
                    pollyInstances.TryAdd(instance, 0);
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();

        var options = Harness.ValidOptions(o => o.PeakHours.Enabled = false);
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var engine = new NanoBananaEngine(options, new FakeTimeProvider(Harness.OffPeak), meterFactory: meterFactory);
        var client = new NanoBananaClient(http, engine);

        var results = await Task.WhenAll(ids.Select(id => Task.Run(
            () => client.GenerateAsync(new NanoBananaRequest("a cat") { Model = id }, TestContext.Current.CancellationToken),
            TestContext.Current.CancellationToken)));

        Assert.Equal(ids, results.Select(r => r.Model)); // every call was served by the model it named
        Assert.InRange(engine.GetModelStatuses().Count, 1, ModelKeys.Capacity);
        var totals = client.Costs.GetTotals();
        Assert.InRange(totals.Count, 1, ModelKeys.Capacity);
        Assert.Equal(DistinctIds, totals.Sum(t => t.Calls)); // nothing lost: the overflow row holds the rest
        Assert.Contains(totals, t => t.Model == ModelKeys.Overflow);
        foreach (var instrument in ourTags.Keys.GroupBy(k => k[..k.LastIndexOf('|')]))
        {
            Assert.InRange(instrument.Count(), 1, ModelKeys.Capacity);
        }

        Assert.InRange(pollyInstances.Count, 1, ModelKeys.Capacity);
    }
}
