using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary>Builds the client the standard .NET way: appsettings.json, user secrets, then NanoBanana__* environment variables.</summary>
internal static class ClientFactory
{
    public static IConfiguration LoadConfiguration()
        => new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddUserSecrets(typeof(ClientFactory).Assembly, optional: true)
            .AddEnvironmentVariables()
            .Build();

    /// <summary>Registers and validates the client; invalid configuration becomes a <see cref="UsageException"/> (exit 2).</summary>
    public static ServiceProvider Build(IConfiguration configuration, Action<IServiceCollection, IHttpClientBuilder>? customize, ILoggerProvider? narrator)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(narrator is null ? LogLevel.Warning : LogLevel.Debug);
            if (narrator is not null)
            {
                logging.AddProvider(narrator);
            }
        });
        var builder = services.AddNanoBananaClient(configuration.GetSection(NanoBananaOptions.SectionName));
        customize?.Invoke(services, builder);
        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<NanoBananaOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            provider.Dispose();
            throw new UsageException("Configuration is invalid:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", e.Failures), showUsage: false);
        }

        return provider;
    }
}
