using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace NanoBananaResilience;

/// <summary>
/// Everything a call reports, in one place: its span and the span's events, the meter's counters, and the log. The
/// walker says what happened; this class decides how each signal spells it. Metric tags go through the model keys
/// (every distinct tag value is a time series an exporter keeps forever); gateway names come from configuration, so
/// they are bounded already. Nothing here ever sees the API key.
/// </summary>
internal sealed class CallTelemetry(NanoBananaMetrics metrics, ILogger logger, ModelKeys keys)
{
    private const string GatewayTag = "nanobanana.gateway";

    public ILogger Logger => logger;

    /// <summary>Opens the call's span (null when nobody listens).</summary>
    public Activity? Start(NanoBananaRequest request)
    {
        var activity = NanoBananaDiagnostics.ActivitySource.StartActivity("generate_content", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "generate_content");
        activity?.SetTag("gen_ai.output.type", "image");
        activity?.SetTag("gen_ai.provider.name", NanoBananaDiagnostics.ProviderName);
        Log.Prompt(logger, request.Prompt);
        return activity;
    }

    public void Planned(IEnumerable<ModelOptions> plan, string note)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.Planned(logger, string.Join(" → ", plan.Select(m => m.Id)), note);
        }
    }

    public void Succeeded(Activity? activity, NanoBananaResult result)
    {
        activity?.SetTag("gen_ai.response.model", result.Model);
        activity?.SetTag("nanobanana.attempts", result.Attempts.Count);
        if (result.Gateway is { } gateway)
        {
            activity?.SetTag(GatewayTag, gateway);
        }

        if (result.Usage is { } usage)
        {
            activity?.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
            activity?.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
        }

        var tags = Tags("gen_ai.response.model", result.Model, result.Gateway);
        metrics.Images.Add(1, in tags);
        if (result.EstimatedCostUsd is { } cost)
        {
            metrics.Cost.Add((double)cost, in tags);
        }

        Log.Succeeded(logger, Route.NameOf(result.Model, result.Gateway), result.Attempts.Count, result.EstimatedCostUsd);
    }

    public void Failed(Activity? activity, AttemptOutcome outcome, int steps, string message)
    {
        activity?.SetStatus(ActivityStatusCode.Error, outcome.ToString());
        activity?.SetTag("error.type", outcome.ToString());
        metrics.Failures.Add(1, new KeyValuePair<string, object?>("nanobanana.outcome", outcome.ToString()));
        Log.Failed(logger, outcome, steps, message);
    }

    public void Cancelled(Activity? activity)
    {
        activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
        metrics.Failures.Add(1, new KeyValuePair<string, object?>("nanobanana.outcome", nameof(AttemptOutcome.Cancelled)));
    }

    public void Ended(TimeSpan elapsed) => metrics.Duration.Record(elapsed.TotalSeconds);

    /// <summary>A request answered (or not) on a route.</summary>
    public void Attempted(Route route, AttemptOutcome outcome) => Count(route.ModelId, route.Gateway.Name, outcome);

    /// <summary>A step that sent nothing: a route resting, or the budget.</summary>
    public void Skipped(string model, string? gateway, AttemptOutcome outcome, string detail)
    {
        Count(model, gateway, outcome);
        Log.Skipped(logger, Route.NameOf(model, gateway), detail);
    }

    /// <summary>A closed record of the trail: logged, and an event on the call's span.</summary>
    public void Recorded(AttemptRecord record)
    {
        Log.AttemptFinished(logger, Route.NameOf(record.Model, record.Gateway), record.Outcome, record.StatusCode, (long)record.Elapsed.TotalMilliseconds, record.Decision, record.Detail);
        var tags = new ActivityTagsCollection
        {
            ["gen_ai.request.model"] = record.Model,
            ["nanobanana.outcome"] = record.Outcome.ToString(),
            ["http.response.status_code"] = record.StatusCode,
        };
        if (record.Gateway is { } gateway)
        {
            tags[GatewayTag] = gateway;
        }

        Activity.Current?.AddEvent(new ActivityEvent("attempt", tags: tags));
    }

    /// <summary>The call leaves a route for the next one.</summary>
    public void MovedOn(Route route, AttemptOutcome outcome)
    {
        var tags = Tags("gen_ai.request.model", route.ModelId, route.Gateway.Name, outcome);
        metrics.Fallbacks.Add(1, in tags);
    }

    public void Probing(Route route) => Log.Probing(logger, route.ToString());

    public void WaitingForReopen(TimeSpan delay) => Log.WaitingForReopen(logger, delay);

    private void Count(string model, string? gateway, AttemptOutcome outcome)
    {
        var tags = Tags("gen_ai.request.model", model, gateway, outcome);
        metrics.Attempts.Add(1, in tags);
    }

    // A TagList holds up to eight tags inline: counting an attempt allocates nothing for its tags.
    private TagList Tags(string modelTag, string model, string? gateway, AttemptOutcome? outcome = null)
    {
        var tags = new TagList { { modelTag, keys.KeyOf(model) } };
        if (outcome is { } o)
        {
            tags.Add("nanobanana.outcome", o.ToString());
        }

        if (gateway is not null)
        {
            tags.Add(GatewayTag, gateway);
        }

        return tags;
    }
}
