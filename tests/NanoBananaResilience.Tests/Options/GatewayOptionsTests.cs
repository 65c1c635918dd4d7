using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace NanoBananaResilience.Tests.Options;

/// <summary>The gateways form of the configuration: how it binds, what it rejects and how it says so.</summary>
public class GatewayOptionsTests
{
    private const string Nb2 = NanoBananaModels.NanoBanana2;
    private const string Pro = NanoBananaModels.NanoBananaPro;

    private static NanoBananaOptions TwoGateways(Action<NanoBananaOptions>? configure = null)
    {
        var options = new NanoBananaOptions();
        options.Gateways.Add(new GatewayOptions { Name = "openrouter", BaseAddress = new Uri("https://openrouter.ai/api/v1/"), ApiKey = "sk-or-K3Y-0001" });
        options.Gateways.Add(new GatewayOptions { Name = "reseller", BaseAddress = new Uri("https://reseller.example/v1/"), ApiKey = "sk-rs-K3Y-0002" });
        configure?.Invoke(options);
        return options;
    }

    private static List<string> Errors(NanoBananaOptions options)
    {
        var errors = NanoBananaOptionsValidator.Collect(options);
        Assert.All(errors, e => Assert.DoesNotContain("K3Y", e, StringComparison.Ordinal));
        return errors;
    }

    [Fact]
    public void Validate_TwoGateways_Succeeds()
        => Assert.Empty(Errors(TwoGateways()));

    [Fact]
    public void Validate_GatewaysAndTheSingleAddressBoth_SaysToSetOneOrTheOther()
    {
        var error = Assert.Single(Errors(TwoGateways(o => o.BaseAddress = new Uri("https://openrouter.ai/api/v1/"))));

        Assert.Contains("set one or the other", error, StringComparison.Ordinal);
        Assert.Contains("NanoBanana:Gateways:0:BaseAddress", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GatewayWithoutKeyOrAddress_NamesItsOwnKeysAndVariable()
    {
        var errors = Errors(TwoGateways(o =>
        {
            o.Gateways[1].ApiKey = null;
            o.Gateways[1].BaseAddress = null;
        }));

        Assert.Contains(errors, e => e.StartsWith("NanoBanana:Gateways:1:ApiKey is required", StringComparison.Ordinal) && e.Contains("NanoBanana__Gateways__1__ApiKey", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("NanoBanana:Gateways:1:BaseAddress is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void Validate_BadGatewayName_SaysWhatANameMayHold(string name)
    {
        var error = Assert.Single(Errors(TwoGateways(o => o.Gateways[0].Name = name)));

        Assert.StartsWith("NanoBanana:Gateways:0:Name is required and may hold letters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateGatewayNames_CaseInsensitively_AreRejected()
    {
        var error = Assert.Single(Errors(TwoGateways(o => o.Gateways[1].Name = "OpenRouter")));

        Assert.Contains("NanoBanana:Gateways:1:Name 'OpenRouter' names another gateway", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GatewayNamesAModelOutsideTheChain_ListsTheChainsModels()
    {
        var errors = Errors(TwoGateways(o =>
        {
            o.Gateways[0].Models.Add("gemini-2.5-flash-image");
            o.Gateways[0].ModelIds["gemini-typo"] = "google/gemini-typo";
            o.Gateways[0].PricePerImageUsd["other"] = 1m;
        }));

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("NanoBanana:Gateways:0:Models names 'gemini-2.5-flash-image'", StringComparison.Ordinal) && e.Contains($"'{Nb2}', '{Pro}'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("NanoBanana:Gateways:0:ModelIds names 'gemini-typo'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("NanoBanana:Gateways:0:PricePerImageUsd names 'other'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AModelNoGatewayServes_IsNamed()
    {
        var error = Assert.Single(Errors(TwoGateways(o =>
        {
            o.Gateways[0].Models.Add(Pro);
            o.Gateways[1].Models.Add(Pro);
        })));

        Assert.Contains($"'{Nb2}', which no gateway serves", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeGatewayPriceBlankSpellingAndBadWeight_AreEachNamed()
    {
        var errors = Errors(TwoGateways(o =>
        {
            o.Gateways[0].PricePerImageUsd[Nb2] = -0.01m;
            o.Gateways[0].ModelIds[Pro] = " ";
            o.Gateways[1].Weight = 0;
        }));

        Assert.Contains(errors, e => e.StartsWith($"NanoBanana:Gateways:0:PricePerImageUsd:{Nb2} must not be negative", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"NanoBanana:Gateways:0:ModelIds:{Pro} must be a model id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("NanoBanana:Gateways:1:Weight", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_GoogleNativeGatewaySendingAVendorId_SaysToMapIt()
    {
        var errors = Errors(TwoGateways(o =>
        {
            o.Models.Add(new ModelOptions { Id = "vendor/image-model", MaxAttempts = 1 });
            o.Gateways[1].Protocol = GatewayProtocol.GoogleNative;
        }));

        var error = Assert.Single(errors);
        Assert.Contains("NanoBanana:Gateways:1 speaks GoogleNative but would send 'vendor/image-model'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_Gateways_NamesThemWithoutTheirKeys()
    {
        var text = TwoGateways().ToString();

        Assert.Contains("openrouter", text, StringComparison.Ordinal);
        Assert.Contains("reseller", text, StringComparison.Ordinal);
        Assert.DoesNotContain("K3Y", text, StringComparison.Ordinal);
        Assert.Contains("<redacted>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddNanoBananaClient_GatewaysInConfiguration_BindWithSpellingsPricesAndWeights()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NanoBanana:GatewaySelection"] = "Weighted",
            ["NanoBanana:Gateways:0:Name"] = "openrouter",
            ["NanoBanana:Gateways:0:BaseAddress"] = "https://openrouter.ai/api/v1/",
            ["NanoBanana:Gateways:0:ApiKey"] = "sk-or-K3Y-0001",
            ["NanoBanana:Gateways:0:Weight"] = "3",
            [$"NanoBanana:Gateways:0:ModelIds:{Nb2}"] = "google/" + Nb2,
            [$"NanoBanana:Gateways:0:ModelIds:{Pro}"] = "google/" + Pro,
            ["NanoBanana:Gateways:1:Name"] = "reseller",
            ["NanoBanana:Gateways:1:BaseAddress"] = "https://reseller.example/v1/",
            ["NanoBanana:Gateways:1:ApiKey"] = "sk-rs-K3Y-0002",
            ["NanoBanana:Gateways:1:ImageConfigPlacement"] = "ExtraBodyGoogle",
            ["NanoBanana:Gateways:1:Models:0"] = Pro,
            [$"NanoBanana:Gateways:1:PricePerImageUsd:{Pro}"] = "0.09",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddNanoBananaClient();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<NanoBananaOptions>>().Value;

        Assert.Equal(GatewaySelection.Weighted, options.GatewaySelection);
        Assert.Equal(["openrouter", "reseller"], options.Gateways.Select(g => g.Name));
        Assert.Equal(3, options.Gateways[0].Weight);
        Assert.Equal("google/" + Pro, options.Gateways[0].ModelIds[Pro]);
        Assert.Equal(ImageConfigPlacement.ExtraBodyGoogle, options.Gateways[1].ImageConfigPlacement);
        Assert.Equal([Pro], options.Gateways[1].Models);
        Assert.Equal(0.09m, options.Gateways[1].PricePerImageUsd[Pro]);
        Assert.NotNull(provider.GetRequiredService<INanoBananaClient>());
    }

    [Fact]
    public void ReadmeExample_OpenRouterAndAReseller_BindsAndValidatesOnceTheKeysAreFilledIn()
    {
        var options = BindReadmeExample("### Several gateways", new()
        {
            ["NanoBanana:Gateways:0:ApiKey"] = "sk-or-K3Y-0001",
            ["NanoBanana:Gateways:1:ApiKey"] = "sk-rs-K3Y-0002",
        });

        Assert.Empty(Errors(options));
        Assert.Equal(["openrouter", "reseller"], options.Gateways.Select(g => g.Name));
        Assert.Equal("google/" + Nb2, options.Gateways[0].ModelIds[Nb2]);
        Assert.Equal([Pro], options.Gateways[1].Models);
    }

    /// <summary>The README's first JSON example after <paramref name="marker"/>, bound with <paramref name="secrets"/> (which the README leaves out) filled in.</summary>
    internal static NanoBananaOptions BindReadmeExample(string marker, Dictionary<string, string?> secrets)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf(marker, StringComparison.Ordinal)..];
        var start = section.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(section[start..section.IndexOf("```", start, StringComparison.Ordinal)]));
        var options = new NanoBananaOptions();
        new ConfigurationBuilder().AddJsonStream(json).AddInMemoryCollection(secrets).Build().GetSection(NanoBananaOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>Registers a client over <paramref name="settings"/> and returns the start-up failure its options must raise.</summary>
    internal static OptionsValidationException StartUpFailure(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddNanoBananaClient();
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NanoBananaOptions>>().Value);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NanoBananaResilience.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (NanoBananaResilience.sln) is not above the test's folder.");
    }

    [Fact]
    public void AddNanoBananaClient_BadGatewayInConfiguration_FailsWithTheKeyToChange()
    {
        var error = StartUpFailure(new()
        {
            ["NanoBanana:Gateways:0:Name"] = "openrouter",
            ["NanoBanana:Gateways:0:BaseAddress"] = "http://openrouter.ai/api/v1/",
            ["NanoBanana:Gateways:0:ApiKey"] = "sk-or-K3Y-0001",
        });

        Assert.Contains("NanoBanana:Gateways:0:BaseAddress 'http://openrouter.ai/api/v1/' uses http", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("K3Y", error.Message, StringComparison.Ordinal);
    }
}
