using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NanoBananaResilience.Benchmarks.Payloads;

namespace NanoBananaResilience.Benchmarks.Calls;

/// <summary>The answers every call suite serves, and the clients that send to them.</summary>
public static class Gateway
{
    /// <summary>A small answer (a 1 KiB PNG-headed image), so the cost measured is the call's, not the image's.</summary>
    public static readonly byte[] SuccessBody = ResponseBodies.Success(ResponseBodies.Image(1024));

    /// <summary>Gemini's 503, as gateways pass it on.</summary>
    public static readonly byte[] OverloadedBody = ResponseBodies.Overloaded();

    /// <summary>The hand-written request body of the bare baseline.</summary>
    public static readonly byte[] RequestBody = ResponseBodies.Request();

    /// <summary>Options as an application would set them; retries and breaker at their defaults unless changed.</summary>
    public static NanoBananaOptions Options(Uri baseAddress) => new() { BaseAddress = baseAddress, ApiKey = "benchmark-key" };

    /// <summary>The bare call: a request built by hand, sent, its body read as bytes.</summary>
    public static async Task<(HttpStatusCode Status, byte[] Body)> BareCallAsync(HttpClient http, Uri endpoint)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(RequestBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "benchmark-key");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>
    /// Starts Kestrel on 127.0.0.1 (a free port) answering <c>POST /v1/chat/completions</c> with
    /// <paramref name="answer"/>; returns the app and its base address.
    /// </summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartLoopbackAsync(byte[] answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async context =>
        {
            // Drain the request, as a gateway would, then answer.
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address + "/v1/"));
    }
}

/// <summary>
/// An in-memory gateway: answers every request with a fresh response after yielding once (as a socket would
/// complete later), so concurrent calls interleave. With <c>failEveryOther</c>, odd requests get a 503.
/// </summary>
public sealed class InMemoryGateway(bool failEveryOther = false) : HttpMessageHandler
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private long _requests;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            await content.CopyToAsync(Stream.Null, cancellationToken);
        }

        await Task.Yield();
        var fail = failEveryOther && Interlocked.Increment(ref _requests) % 2 == 1;
        var response = new HttpResponseMessage(fail ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(fail ? Gateway.OverloadedBody : Gateway.SuccessBody),
            RequestMessage = request,
        };
        response.Content.Headers.ContentType = Json;
        return response;
    }
}
