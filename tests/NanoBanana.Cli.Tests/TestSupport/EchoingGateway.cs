using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace NanoBanana.Cli.Tests.TestSupport;

/// <summary>
/// A gateway on 127.0.0.1 that gives every request the same scripted answer, built from what the request carried
/// (so it can echo the key back), and keeps each request's model and Authorization header.
/// </summary>
internal sealed class EchoingGateway(Func<string?, string, (int Status, string Body)> answer) : IAsyncDisposable
{
    /// <summary>Gets or sets a value indicating whether requests are held until the client goes away, after being counted.</summary>
    public bool Stall { get; set; }

    private WebApplication? _app;

    public ConcurrentQueue<(string? Model, string Authorization)> Requests { get; } = new();

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            string? model = null;
            try
            {
                model = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("model").GetString();
            }
            catch (System.Text.Json.JsonException)
            {
            }

            var authorization = context.Request.Headers.Authorization.ToString();
            Requests.Enqueue((model, authorization));
            if (Stall)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            var (status, text) = answer(model, authorization);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(text, context.RequestAborted);
        });
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri($"http://127.0.0.1:{new Uri(address).Port}/v1/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
