using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Routing;

/// <summary>
/// One gateway as the engine sees it: its name, which models it serves, how it spells and prices them, and what an
/// attempt says about whether it can be reached.
/// </summary>
public class GatewayEndpointTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    private static GatewayEndpoint Endpoint(Action<GatewayOptions>? configure = null, bool named = true)
    {
        var options = new GatewayOptions { Name = "primary", BaseAddress = new Uri("https://primary.test/v1/"), ApiKey = "sk-primary" };
        configure?.Invoke(options);
        return new GatewayEndpoint(options, named, new NanoBananaOptions(), TimeProvider.System, reachability: null);
    }

    private static AttemptResult Attempt(AttemptOutcome outcome, int? status)
        => new(new Classification(outcome, null, null, QuotaKind.Unknown, "detail"), status, ParsedBody.Empty, TimeSpan.FromSeconds(1));

    [Fact]
    public void Name_NamedGateways_IsTheConfiguredName_TheSingleAddressFormHasNone()
    {
        var named = Endpoint();
        var single = Endpoint(named: false);

        Assert.Equal("primary", named.Name);
        Assert.Equal("primary", named.ToString());
        Assert.Null(single.Name);
        Assert.Equal("(single gateway)", single.ToString());
    }

    [Fact]
    public void Serves_NoModelsListed_ServesEveryModel()
    {
        var gateway = Endpoint();

        Assert.True(gateway.Serves(Nb2));
        Assert.True(gateway.Serves("any-model-a-call-names"));
    }

    [Fact]
    public void Serves_ModelsListed_ServesThoseInAnyCaseAndNoOther()
    {
        var gateway = Endpoint(g => g.Models.Add(Pro));

        Assert.True(gateway.Serves(Pro));
        Assert.True(gateway.Serves(Pro.ToUpperInvariant()));
        Assert.False(gateway.Serves(Nb2));
    }

    [Fact]
    public void WireId_MappedModel_IsTheGatewaysSpelling_OthersAreSentAsConfigured()
    {
        var gateway = Endpoint(g => g.ModelIds[Nb2] = "google/nano-banana-2");

        Assert.Equal("google/nano-banana-2", gateway.WireId(Nb2));
        Assert.Equal(Pro, gateway.WireId(Pro));
    }

    [Fact]
    public void Priced_NoPriceOfItsOwn_IsTheModelAsConfigured()
    {
        var gateway = Endpoint(g => g.PricePerImageUsd[Pro] = 0.2m);
        var model = new ModelOptions { Id = Nb2, MaxAttempts = 3, PricePerImageUsd = 0.05m };

        Assert.Same(model, gateway.Priced(model));
    }

    [Fact]
    public void Priced_GatewayNamesAPrice_ItReplacesTheModelsWholePriceTable()
    {
        var gateway = Endpoint(g => g.PricePerImageUsd[Nb2] = 0.07m);
        var model = new ModelOptions { Id = Nb2, MaxAttempts = 3, PricePerImageUsd = 0.05m };
        model.Prices["2K"] = 0.1m;

        var priced = gateway.Priced(model);

        Assert.Equal((Nb2, 3, 0.07m), (priced.Id, priced.MaxAttempts, priced.PricePerImageUsd));
        Assert.Empty(priced.Prices);
        Assert.Equal(0.05m, model.PricePerImageUsd);
    }

    [Theory]
    [InlineData(AttemptOutcome.Success, 200)]
    [InlineData(AttemptOutcome.Overloaded, 503)]
    [InlineData(AttemptOutcome.ServerError, 502)]
    [InlineData(AttemptOutcome.Unauthorized, 401)]
    [InlineData(AttemptOutcome.RateLimited, 429)]
    public void ReachabilityOf_AnyHttpAnswer_IsAnAnswerFromTheGateway(AttemptOutcome outcome, int status)
        => Assert.Equal(AttemptOutcome.Success, GatewayEndpoint.ReachabilityOf(Attempt(outcome, status)));

    [Fact]
    public void ReachabilityOf_ConnectionFailedBeforeAnyStatus_CountsAsAnOverload()
        => Assert.Equal(AttemptOutcome.Overloaded, GatewayEndpoint.ReachabilityOf(Attempt(AttemptOutcome.ServerError, null)));

    [Theory]
    [InlineData(AttemptOutcome.Timeout)]
    [InlineData(AttemptOutcome.Overloaded)]
    public void ReachabilityOf_NoStatusAndNoConnectionFailure_SaysNothing(AttemptOutcome outcome)
        => Assert.Null(GatewayEndpoint.ReachabilityOf(Attempt(outcome, null)));

    [Fact]
    public void ReachabilityOf_NoAttempt_SaysNothing()
        => Assert.Null(GatewayEndpoint.ReachabilityOf(null));
}
