using Microsoft.AspNetCore.Http.HttpResults;
using NanoBanana.WebApi;
using NanoBananaResilience;
using NanoBananaResilience.Testing;

var builder = WebApplication.CreateBuilder(args);

// With a key (user secrets or NanoBanana__ApiKey) the app calls the configured gateway. Without one it answers
// from the in-process simulated gateway, so the sample runs offline.
var offline = string.IsNullOrEmpty(builder.Configuration["NanoBanana:ApiKey"]);
if (offline)
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["NanoBanana:BaseAddress"] = "http://127.0.0.1/v1/", // never dialled: the simulator answers in-process
        ["NanoBanana:ApiKey"] = "simulated",
    });
}

var images = builder.Services.AddNanoBananaClient(builder.Configuration.GetSection(NanoBananaOptions.SectionName));
if (offline)
{
    var simulation = builder.Configuration.GetSection("Simulator").Get<SimulatedGeminiOptions>() ?? new SimulatedGeminiOptions();
    images.ConfigurePrimaryHttpMessageHandler(sp => new SimulatedGeminiHandler(simulation, sp.GetRequiredService<TimeProvider>()));
}

var app = builder.Build();

// POST /images {"prompt": "...", "size": "1K", "aspectRatio": "16:9"} → the image bytes, with their real media type.
app.MapPost("/images", async Task<Results<FileContentHttpResult, RedirectHttpResult, ProblemHttpResult>> (ImageRequest body, INanoBananaClient client, HttpResponse response, CancellationToken cancellationToken) =>
{
    NanoBananaRequest request;
    try
    {
        request = new NanoBananaRequest(body.Prompt ?? string.Empty)
        {
            Size = body.Size is null ? null : ImageSize.Parse(body.Size),
            AspectRatio = body.AspectRatio is null ? null : AspectRatio.Parse(body.AspectRatio),
        };
    }
    catch (ArgumentException e)
    {
        return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
    }

    try
    {
        var result = await client.GenerateAsync(request, cancellationToken);
        response.Headers["X-NanoBanana-Model"] = result.Model;
        response.Headers["X-NanoBanana-Attempts"] = result.Attempts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (result.Image.Data.IsEmpty && result.Image.Url is { } hosted)
        {
            // Some gateways host the image and send only its address; the library does not fetch it.
            return TypedResults.Redirect(hosted.AbsoluteUri);
        }

        return TypedResults.File(result.Image.Data.ToArray(), result.Image.MediaType, "image" + result.Image.FileExtension);
    }
    catch (NanoBananaException e)
    {
        // Transient: 503 with Retry-After when known. A blocked prompt: 422, the caller must rephrase. The gateway
        // refusing the key, payment or request: 502, the operator must fix the configuration.
        if (e.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var status = e.IsTransient ? StatusCodes.Status503ServiceUnavailable
            : e.Outcome == AttemptOutcome.ContentBlocked ? StatusCodes.Status422UnprocessableEntity
            : StatusCodes.Status502BadGateway;
        return TypedResults.Problem(e.Message, statusCode: status, title: e.Outcome.ToString());
    }
});

// GET /health → each model's breaker state and when a resting model may be tried again.
app.MapGet("/health", (INanoBananaClient client) =>
{
    var models = client.GetModelStatuses()
        .Select(m => new ModelHealth(m.Model, m.BreakerState.ToString(), m.RestingUntil))
        .ToList();
    return TypedResults.Ok(new HealthReport(models.Any(m => m.RestingUntil is null) ? "Healthy" : "Degraded", models));
});

app.Run();
