using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary>Builds the client the standard .NET way: appsettings.json, user secrets, then NanoBanana__* environment variables.</summary>
internal static class ClientFactory
{
    private const string ModelsKey = NanoBananaOptions.SectionName + ":Models";

    /// <summary>The shortest header value taken for a secret: the library's own line (its <c>GatewayHeaders.ShortestSecret</c>).</summary>
    private const int ShortestSecretHeader = 16;

    public static IConfiguration LoadConfiguration()
        => new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddUserSecrets(typeof(ClientFactory).Assembly, optional: true)
            .AddEnvironmentVariables()
            .Build();

    /// <summary>
    /// What a crash report leaves out, as configured: the single key, every gateway's, and each header value long enough
    /// to be a credential. Shorter values are words such as google or false; the library draws the line at the same
    /// length when it scrubs what gateways send back.
    /// </summary>
    private static List<string> SecretsIn(IConfiguration configuration)
    {
        var section = configuration.GetSection(NanoBananaOptions.SectionName);
        var scopes = section.GetSection("Gateways").GetChildren().Prepend(section).ToList();
        var keys = scopes.Select(s => s["ApiKey"]);
        var headers = scopes.SelectMany(s => s.GetSection("Headers").GetChildren()).Select(h => h.Value).Where(v => v?.Length >= ShortestSecretHeader);
        return [.. keys.Concat(headers).Where(k => !string.IsNullOrEmpty(k)).Select(k => k!)];
    }

    /// <summary>
    /// Registers and validates the client; configuration it cannot use becomes a <see cref="ConfigurationException"/>
    /// (exit 2) that names the key and the value. <paramref name="randomizer"/> seeds the jitter; <paramref name="context"/>
    /// learns the keys and secret header values, so a crash report can leave them out.
    /// </summary>
    public static ServiceProvider Build(IConfiguration configuration, Action<IServiceCollection, IHttpClientBuilder>? customize, ILoggerProvider? narrator, Func<double>? randomizer = null, CliContext? context = null)
    {
        context?.Secrets = SecretsIn(configuration);
        ConfigurationCheck.Validate(configuration);

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
        var models = ModelsFromOneSource(configuration);
        services.PostConfigure<NanoBananaOptions>(options =>
        {
            if (models is not null)
            {
                options.Models.Clear();
                foreach (var model in models)
                {
                    options.Models.Add(model);
                }
            }

            options.Retry.Randomizer = randomizer ?? options.Retry.Randomizer;
        });
        customize?.Invoke(services, builder);
        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<NanoBananaOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            provider.Dispose();
            throw new ConfigurationException("The configuration is invalid:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", e.Failures));
        }

        return provider;
    }

    /// <summary>
    /// The model chain, whole, from the last source that sets any <c>NanoBanana:Models</c> entry. The binder merges
    /// lists index by index across sources, so <c>NanoBanana__Models__0__Id</c> alone would replace the first of the
    /// bundled appsettings.json's two models and keep its second: a chain nobody wrote. Null when no source sets one.
    /// </summary>
    private static List<ModelOptions>? ModelsFromOneSource(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root
            || root.Providers.LastOrDefault(p => p.GetChildKeys([], ModelsKey).Any()) is not { } source)
        {
            return null;
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Collect(source, ModelsKey, values);
        var models = new List<ModelOptions>();
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(ModelsKey).Bind(models);
        return models;
    }

    private static void Collect(IConfigurationProvider source, string path, Dictionary<string, string?> values)
    {
        foreach (var key in source.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var child = path + ":" + key;
            if (source.TryGet(child, out var value))
            {
                values[child] = value;
            }

            Collect(source, child, values);
        }
    }
}
