using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBananaResilience;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="INanoBananaClient"/> as a typed <see cref="HttpClient"/>.</summary>
public static class NanoBananaServiceCollectionExtensions
{
    /// <summary>Registers the client with options bound from the configuration section <c>NanoBanana</c>.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder of the underlying <see cref="HttpClient"/>, to keep configuring it.</returns>
    public static IHttpClientBuilder AddNanoBananaClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<NanoBananaOptions>().BindConfiguration(NanoBananaOptions.SectionName);
        return AddCore(services);
    }

    /// <summary>Registers the client, configured in code (after any configuration binding).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the underlying <see cref="HttpClient"/>, to keep configuring it.</returns>
    public static IHttpClientBuilder AddNanoBananaClient(this IServiceCollection services, Action<NanoBananaOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<NanoBananaOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>Registers the client with options bound from a configuration section.</summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section to bind, usually <c>configuration.GetSection("NanoBanana")</c>.</param>
    /// <returns>The builder of the underlying <see cref="HttpClient"/>, to keep configuring it.</returns>
    public static IHttpClientBuilder AddNanoBananaClient(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<NanoBananaOptions>().Bind(section);
        return AddCore(services);
    }

    /// <summary>
    /// Registers a named client, resolved as a keyed service (<c>[FromKeyedServices("batch")] INanoBananaClient</c>),
    /// with options bound from the configuration section <c>NanoBanana:Clients:{name}</c>.
    /// </summary>
    /// <remarks>
    /// Each name has its own options, engine, breakers, cooldowns, cost meter and <see cref="HttpClient"/>: two names
    /// never share health, even when they point at the same gateway and model. The unnamed client
    /// (<see cref="AddNanoBananaClient(IServiceCollection)"/>) is unaffected and can be registered beside named ones.
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="name">The client's name and service key; not empty.</param>
    /// <returns>The builder of the client's own <see cref="HttpClient"/>, to keep configuring it.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static IHttpClientBuilder AddNanoBananaClient(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddOptions<NanoBananaOptions>(name).BindConfiguration(NanoBananaOptions.SectionFor(name));
        return AddNamedCore(services, name);
    }

    /// <summary>Registers a named client (see <see cref="AddNanoBananaClient(IServiceCollection, string)"/>), configured in code (after any configuration binding).</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The client's name and service key; not empty.</param>
    /// <param name="configure">Sets the named client's options.</param>
    /// <returns>The builder of the client's own <see cref="HttpClient"/>, to keep configuring it.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static IHttpClientBuilder AddNanoBananaClient(this IServiceCollection services, string name, Action<NanoBananaOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<NanoBananaOptions>(name).Configure(configure);
        return AddNamedCore(services, name);
    }

    /// <summary>Registers a named client (see <see cref="AddNanoBananaClient(IServiceCollection, string)"/>) with options bound from a configuration section.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The client's name and service key; not empty.</param>
    /// <param name="section">The section to bind.</param>
    /// <returns>The builder of the client's own <see cref="HttpClient"/>, to keep configuring it.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static IHttpClientBuilder AddNanoBananaClient(this IServiceCollection services, string name, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<NanoBananaOptions>(name).Bind(section);
        return AddNamedCore(services, name);
    }

    private static IHttpClientBuilder AddNamedCore(IServiceCollection services, string name)
    {
        services.AddOptions<NanoBananaOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NanoBananaOptions>, NanoBananaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // One engine per name: its own breakers and cooldowns, shared by every client resolved under that key.
        var httpClientName = HttpClientNamePrefix + name;
        services.TryAddKeyedSingleton(name, (sp, _) => new NanoBananaEngine(
            sp.GetRequiredService<IOptionsMonitor<NanoBananaOptions>>().Get(name),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>(),
            sharedState: sp.GetKeyedService<INanoBananaSharedState>(new SharedStateKey(httpClientName))));
        services.TryAddKeyedSingleton<INanoBananaCostMeter>(name, (sp, _) => sp.GetRequiredKeyedService<NanoBananaEngine>(name).Costs);
        services.AddSingleton(new NanoBananaClientRegistration(httpClientName, name));

        services.TryAddKeyedTransient<INanoBananaClient>(name, (sp, _) => new ContainerNanoBananaClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName),
            sp.GetRequiredKeyedService<NanoBananaEngine>(name)));
        return ConfigureHttpClient(services.AddHttpClient(httpClientName));
    }

    // Named clients' HttpClient names: apart from the typed client's and from names an application picks itself.
    private const string HttpClientNamePrefix = "NanoBananaResilience:";

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<NanoBananaOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NanoBananaOptions>, NanoBananaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        var builder = services.AddHttpClient<INanoBananaClient, ContainerNanoBananaClient>((http, sp) =>
            new ContainerNanoBananaClient(http, sp.GetRequiredService<NanoBananaEngine>()));

        // The per-model pipelines and breakers live here, shared by every (transient) typed client.
        var httpClientName = builder.Name;
        services.TryAddSingleton(sp => new NanoBananaEngine(
            sp.GetRequiredService<IOptions<NanoBananaOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>(),
            sharedState: sp.GetKeyedService<INanoBananaSharedState>(new SharedStateKey(httpClientName))));
        services.TryAddSingleton<INanoBananaCostMeter>(sp => sp.GetRequiredService<NanoBananaEngine>().Costs);
        services.AddSingleton(new NanoBananaClientRegistration(httpClientName, null));

        return ConfigureHttpClient(builder);
    }

    /// <summary>
    /// Shares the client's model health and period budget with the same client in other processes, through
    /// <paramref name="factory"/>'s state (<c>NanoBananaResilience.Redis</c>'s <c>AddRedisState</c> calls this).
    /// Without it, the client keeps its state in the process, as before.
    /// </summary>
    /// <param name="builder">The builder <c>AddNanoBananaClient</c> returned.</param>
    /// <param name="factory">Creates the state, once per container, from the services and the client's name (<see langword="null"/> for the unnamed client).</param>
    /// <returns>The same builder, to keep configuring it.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="builder"/> was not returned by <c>AddNanoBananaClient</c>.</exception>
    public static IHttpClientBuilder AddNanoBananaSharedState(this IHttpClientBuilder builder, Func<IServiceProvider, string?, INanoBananaSharedState> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        var clientName = GetNanoBananaClientName(builder);
        builder.Services.AddKeyedSingleton(new SharedStateKey(builder.Name), (sp, _) => factory(sp, clientName));
        return builder;
    }

    /// <summary>Gets the name of the client a builder from <c>AddNanoBananaClient</c> configures.</summary>
    /// <param name="builder">The builder <c>AddNanoBananaClient</c> returned.</param>
    /// <returns>The client's name (its service key), or <see langword="null"/> for the unnamed client.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="builder"/> was not returned by <c>AddNanoBananaClient</c>.</exception>
    public static string? GetNanoBananaClientName(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var registration = builder.Services
            .Select(d => d.ServiceType == typeof(NanoBananaClientRegistration) && !d.IsKeyedService ? d.ImplementationInstance as NanoBananaClientRegistration : null)
            .LastOrDefault(r => r is not null && r.HttpClientName == builder.Name)
            ?? throw new InvalidOperationException($"This builder configures the HttpClient '{builder.Name}', not a NanoBanana client: use the builder that AddNanoBananaClient returned.");
        return registration.ClientName;
    }

    /// <summary>Which client an <see cref="HttpClient"/> name belongs to, so shared state finds its client.</summary>
    private sealed record NanoBananaClientRegistration(string HttpClientName, string? ClientName);

    /// <summary>The service key of a client's shared state: private, so no other registration can collide with it.</summary>
    private sealed record SharedStateKey(string HttpClientName);

    private static IHttpClientBuilder ConfigureHttpClient(IHttpClientBuilder builder)
    {
        // The pipeline owns all timing and all retries: no HttpClient timeout, no redirects (the key must not
        // follow one), and no resilience handler added by ConfigureHttpClientDefaults (it would multiply
        // retries and retry 429s).
        builder.ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);

        // The factory's Trace logs print request headers. It redacts every value by default, but a host that names
        // its own sensitive headers in ConfigureHttpClientDefaults replaces that default, and the key would be
        // printed: this client redacts every header value whatever the host set.
        builder.RedactLoggedHeaders(static _ => true);
        builder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt out.
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
