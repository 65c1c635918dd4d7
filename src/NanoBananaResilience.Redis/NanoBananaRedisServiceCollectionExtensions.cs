using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NanoBananaResilience;
using NanoBananaResilience.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Shares a NanoBanana client's model health and period budget with its other replicas through Redis.</summary>
public static class NanoBananaRedisServiceCollectionExtensions
{
    /// <summary>Shares the client's state through the Redis at <paramref name="connectionString"/>, with the other options at their defaults.</summary>
    /// <param name="builder">The builder <c>AddNanoBananaClient</c> returned.</param>
    /// <param name="connectionString">The StackExchange.Redis configuration string; its password is never logged.</param>
    /// <returns>The same builder, to keep configuring it.</returns>
    /// <exception cref="ArgumentException">The connection string is not valid.</exception>
    public static IHttpClientBuilder AddRedisState(this IHttpClientBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return builder.AddRedisState(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Shares the client's model health (breaker trips, server cooldowns, recoveries, probe slots) and its period
    /// budget with every process that registers the same client against the same Redis and key prefix. While Redis
    /// does not answer the client runs on its own state; resolve <see cref="NanoBananaRedisStatus"/> (keyed by the
    /// client's name for a named client) to report it.
    /// </summary>
    /// <param name="builder">The builder <c>AddNanoBananaClient</c> returned.</param>
    /// <param name="configure">Sets the options; checked here.</param>
    /// <returns>The same builder, to keep configuring it.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message names each setting.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="builder"/> was not returned by <c>AddNanoBananaClient</c>.</exception>
    public static IHttpClientBuilder AddRedisState(this IHttpClientBuilder builder, Action<NanoBananaRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new NanoBananaRedisOptions();
        configure(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid NanoBanana Redis options: " + string.Join(" ", errors), nameof(configure));
        }

        var clientName = builder.GetNanoBananaClientName();
        var key = new RedisStateKey(builder.Name);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddKeyedSingleton(key, (sp, _) =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("NanoBananaResilience.Redis");
            var client = sp.GetRequiredService<IOptionsMonitor<NanoBananaOptions>>().Get(clientName ?? Options.Options.DefaultName);
            return new RedisSharedState(options, client, clientName, new RedisStore(options, sp, time, logger), time);
        });
        if (clientName is null)
        {
            builder.Services.AddSingleton(sp => sp.GetRequiredKeyedService<RedisSharedState>(key).Status);
        }
        else
        {
            builder.Services.AddKeyedSingleton(clientName, (sp, _) => sp.GetRequiredKeyedService<RedisSharedState>(key).Status);
        }

        return builder.AddNanoBananaSharedState((sp, _) => sp.GetRequiredKeyedService<RedisSharedState>(key));
    }

    /// <summary>The service key of a client's Redis state: private, so no other registration can collide with it.</summary>
    private sealed record RedisStateKey(string HttpClientName);
}
