using System.Text;
using Microsoft.Extensions.Configuration;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Options;

/// <summary><c>NanoBanana:Headers</c> and <c>NanoBanana:Gateways:N:Headers</c>: how they bind, what they reject and how they say so.</summary>
public class HeaderOptionsTests
{
    /// <summary>A value that would be a credential: no message or description may print it.</summary>
    private const string Secret = "pk-S3CRET-0123456789abcdef";

    private static NanoBananaOptions TwoGateways(Action<NanoBananaOptions> configure)
    {
        var options = new NanoBananaOptions();
        options.Gateways.Add(new GatewayOptions { Name = "portkey", BaseAddress = new Uri("https://portkey.example/v1/"), ApiKey = "AIza-K3Y-0001" });
        options.Gateways.Add(new GatewayOptions { Name = "openrouter", BaseAddress = new Uri("https://openrouter.ai/api/v1/"), ApiKey = "sk-or-K3Y-0002" });
        configure(options);
        return options;
    }

    private static List<string> Errors(NanoBananaOptions options)
    {
        var errors = NanoBananaOptionsValidator.Collect(options);
        Assert.All(errors, e => Assert.DoesNotContain("S3CRET", e, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain("K3Y", e, StringComparison.Ordinal));
        return errors;
    }

    [Fact]
    public void Validate_HeadersOnBothLevelsAndAnEmptyOverride_Succeed()
    {
        var options = TwoGateways(o =>
        {
            o.Headers["x-portkey-strict-open-ai-compliance"] = "false";
            o.Gateways[0].Headers["x-portkey-provider"] = "google";
            o.Gateways[0].Headers["x-portkey-api-key"] = Secret;
            o.Gateways[1].Headers["HTTP-Referer"] = "https://app.example/";
            o.Gateways[1].Headers["X-Title"] = "My app\twith a tab";
            o.Gateways[1].Headers["x-portkey-strict-open-ai-compliance"] = string.Empty;
        });

        Assert.Empty(Errors(options));
    }

    [Fact]
    public void Headers_NamesAreCaseInsensitive()
    {
        var options = new NanoBananaOptions();
        var gateway = new GatewayOptions();

        options.Headers["x-portkey-provider"] = "google";
        gateway.Headers["X-Title"] = "app";

        Assert.Equal("google", options.Headers["X-Portkey-Provider"]);
        Assert.Equal("app", gateway.Headers["x-title"]);
    }

    [Theory]
    [InlineData("x portkey")]
    [InlineData("x-portkey(provider)")]
    [InlineData("caf\u00e9")]
    [InlineData("")]
    public void Validate_NotAHeaderName_NamesTheKeyAndWhatANameHolds(string name)
    {
        var error = Assert.Single(Errors(TwoGateways(o => o.Gateways[1].Headers[name] = "x")));

        Assert.StartsWith($"NanoBanana:Gateways:1:Headers:{name}: '{name}' is not a header name; a name holds letters, digits and", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("google\r\nx-injected: 1")]
    [InlineData("line\nbreak")]
    [InlineData("nul\0")]
    [InlineData("caf\u00e9")]
    public void Validate_ValueABadLineWouldCarry_NamesTheKeyNeverTheValue(string value)
    {
        var error = Assert.Single(Errors(TwoGateways(o => o.Gateways[0].Headers["x-portkey-api-key"] = "S3CRET" + value)));

        Assert.StartsWith("NanoBanana:Gateways:0:Headers:x-portkey-api-key has a line break, a control character or a non-ASCII character", error, StringComparison.Ordinal);
        Assert.Contains("one line of plain ASCII", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("x-goog-api-key")]
    [InlineData("AUTHORIZATION")]
    public void Validate_KeyHeaderOnAGateway_SaysToSetThatGatewaysApiKey(string name)
    {
        var error = Assert.Single(Errors(TwoGateways(o => o.Gateways[1].Headers[name] = "Bearer " + Secret)));

        Assert.Equal($"NanoBanana:Gateways:1:Headers:{name} would replace the header that carries the API key; set the key in NanoBanana:Gateways:1:ApiKey and remove this entry.", error);
    }

    [Fact]
    public void Validate_KeyHeaderAtTheTop_SaysWhereTheKeyGoesInEitherForm()
    {
        var single = Assert.Single(Errors(Harness.ValidOptions(o => o.Headers["Authorization"] = "Bearer " + Secret)));
        var gateways = Assert.Single(Errors(TwoGateways(o => o.Headers["x-goog-api-key"] = Secret)));

        Assert.Equal("NanoBanana:Headers:Authorization would replace the header that carries the API key; set the key in NanoBanana:ApiKey and remove this entry.", single);
        Assert.Equal("NanoBanana:Headers:x-goog-api-key would replace the header that carries the API key; set the key in each NanoBanana:Gateways:N:ApiKey and remove this entry.", gateways);
    }

    [Theory]
    [InlineData("Content-Type")]
    [InlineData("content-length")]
    [InlineData("Host")]
    [InlineData("Accept")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    public void Validate_HeaderTheLibraryOrStackWrites_SaysToRemoveIt(string name)
    {
        var error = Assert.Single(Errors(Harness.ValidOptions(o => o.Headers[name] = "x")));

        Assert.Equal($"NanoBanana:Headers:{name} is a header the library or the HTTP stack writes on every request; remove this entry.", error);
    }

    [Fact]
    public void Validate_HeaderOfTheBody_SaysTheLibraryWritesTheBody()
    {
        var error = Assert.Single(Errors(Harness.ValidOptions(o => o.Headers["Content-Encoding"] = "gzip")));

        Assert.Equal("NanoBanana:Headers:Content-Encoding describes a request body, and the library writes the body; remove this entry.", error);
    }

    [Fact]
    public void Validate_NamedClient_NamesTheClientsKey()
    {
        var result = new NanoBananaOptionsValidator().Validate("batch", Harness.ValidOptions(o => o.Headers["Host"] = "elsewhere.example"));

        Assert.Equal(["NanoBanana:Clients:batch:Headers:Host is a header the library or the HTTP stack writes on every request; remove this entry."], result.Failures);
    }

    [Fact]
    public void ToString_NamesTheHeadersButNeverTheirValues()
    {
        var gateways = TwoGateways(o =>
        {
            o.Headers["x-portkey-provider"] = "google";
            o.Gateways[0].Headers["x-portkey-api-key"] = Secret;
        });
        var single = Harness.ValidOptions(o => o.Headers["x-portkey-api-key"] = Secret);

        var texts = new[] { gateways.ToString(), gateways.Gateways[0].ToString(), single.ToString() };

        Assert.All(texts, t => Assert.DoesNotContain(Secret, t, StringComparison.Ordinal));
        Assert.DoesNotContain("google", texts[0], StringComparison.Ordinal);
        Assert.Contains("portkey (OpenAICompatible, https://portkey.example/v1/, ApiKey = <redacted>, Headers = [x-portkey-api-key])", texts[0], StringComparison.Ordinal);
        Assert.Contains(", Headers = [x-portkey-provider], Models", texts[0], StringComparison.Ordinal);
        Assert.Contains("ApiKey = <redacted>, Headers = [x-portkey-api-key], Models", texts[2], StringComparison.Ordinal);
        Assert.DoesNotContain("Headers", TwoGateways(_ => { }).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_JsonWithHeadersOnBothLevels_FillsBothMaps()
    {
        const string json = """
            {
              "NanoBanana": {
                "Headers": { "x-portkey-strict-open-ai-compliance": "false" },
                "Gateways": [
                  {
                    "Name": "portkey", "BaseAddress": "https://portkey.example/v1/", "ApiKey": "AIza-K3Y-0001",
                    "Headers": { "x-portkey-provider": "google", "x-portkey-api-key": "pk-S3CRET-0123456789abcdef" }
                  },
                  {
                    "Name": "openrouter", "BaseAddress": "https://openrouter.ai/api/v1/", "ApiKey": "sk-or-K3Y-0002",
                    "Headers": { "HTTP-Referer": "https://app.example/", "x-portkey-strict-open-ai-compliance": "" }
                  }
                ]
              }
            }
            """;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var options = new NanoBananaOptions();

        new ConfigurationBuilder().AddJsonStream(stream).Build().GetSection(NanoBananaOptions.SectionName).Bind(options);

        Assert.Empty(Errors(options));
        Assert.Equal("false", options.Headers["X-Portkey-Strict-Open-AI-Compliance"]);
        Assert.Equal(Secret, options.Gateways[0].Headers["x-portkey-api-key"]);
        Assert.Equal("google", options.Gateways[0].Headers["x-portkey-provider"]);
        Assert.Equal("https://app.example/", options.Gateways[1].Headers["http-referer"]);
        Assert.Equal(string.Empty, options.Gateways[1].Headers["x-portkey-strict-open-ai-compliance"]);
    }

    [Fact]
    public void AddNanoBananaClient_OwnedHeaderInConfiguration_FailsAtStartUpWithTheKeyToChange()
    {
        var error = GatewayOptionsTests.StartUpFailure(new()
        {
            ["NanoBanana:Gateways:0:Name"] = "portkey",
            ["NanoBanana:Gateways:0:BaseAddress"] = "https://portkey.example/v1/",
            ["NanoBanana:Gateways:0:ApiKey"] = "AIza-K3Y-0001",
            ["NanoBanana:Gateways:1:Name"] = "openrouter",
            ["NanoBanana:Gateways:1:BaseAddress"] = "https://openrouter.ai/api/v1/",
            ["NanoBanana:Gateways:1:ApiKey"] = "sk-or-K3Y-0002",
            ["NanoBanana:Gateways:1:Headers:Authorization"] = "Bearer " + Secret,
        });

        Assert.Contains("NanoBanana:Gateways:1:Headers:Authorization would replace the header that carries the API key; set the key in NanoBanana:Gateways:1:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3CRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadmeExample_Portkey_BindsAndValidatesOnceTheKeyIsFilledIn()
    {
        var options = GatewayOptionsTests.BindReadmeExample("**Portkey: the header that makes images arrive.**", new() { ["NanoBanana:ApiKey"] = "AIza-K3Y-0001" });

        Assert.Empty(Errors(options));
        Assert.Equal("google", options.Headers["x-portkey-provider"]);
        Assert.Equal("false", options.Headers["x-portkey-strict-open-ai-compliance"]);
    }
}
