using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Cost;

/// <summary>Prices from configuration, the precedence of the endpoint's own figure, and the totals per model.</summary>
public class CostMeterTests
{
    private const string Nb2 = Harness.Nb2;
    private const string Pro = Harness.Pro;

    private static Task<NanoBananaResult> Generate(Harness h, ImageSize? size = null, string? model = null)
        => h.Time.DriveAsync(h.Client.GenerateAsync(new NanoBananaRequest("a cat") { Size = size, Model = model }, TestContext.Current.CancellationToken));

    [Fact]
    public async Task GetTotals_ConfiguredPrices_MatchPerModel()
    {
        using var h = Harness.Create(o =>
        {
            var nb2 = new ModelOptions { Id = Nb2, MaxAttempts = 3, PricePerImageUsd = 0.035m };
            nb2.Prices["4K"] = 0.2m;
            o.Models.Add(nb2);
            o.Models.Add(new ModelOptions { Id = Pro, MaxAttempts = 2, PricePerImageUsd = 0.05m });
        });
        h.Handler.On(Nb2, Replies.Image()).On(Pro, Replies.Image());

        var oneK = await Generate(h);
        await Generate(h, ImageSize.FourK);
        await Generate(h, model: Pro);

        Assert.Equal(0.035m, oneK.EstimatedCostUsd);
        var totals = h.Client.Costs.GetTotals().ToDictionary(t => t.Model);
        Assert.Equal((2L, 2L, 0.235m, 0L), (totals[Nb2].Calls, totals[Nb2].Images, totals[Nb2].CostUsd, totals[Nb2].UnpricedCalls));
        Assert.Equal((1L, 1L, 0.05m, 0L), (totals[Pro].Calls, totals[Pro].Images, totals[Pro].CostUsd, totals[Pro].UnpricedCalls));
        Assert.Equal(0.285m, h.Client.Costs.GetSpentInPeriodUsd());
    }

    [Theory]
    [InlineData("0.5K", 0.045)]
    [InlineData("1K", 0.067)]
    [InlineData("2K", 0.101)]
    [InlineData("4K", 0.151)]
    public async Task GetTotals_NoConfiguredPrice_UsesGoogleListPriceForTheSize(string size, double price)
    {
        using var h = Harness.Create();
        h.Handler.On(Nb2, Replies.Image());

        await Generate(h, ImageSize.Parse(size));

        Assert.Equal((decimal)price, Assert.Single(h.Client.Costs.GetTotals()).CostUsd);
    }

    [Fact]
    public async Task GetTotals_EndpointReportsCost_ItWinsOverTheConfiguredPrice()
    {
        using var h = Harness.Create(o => o.Models.Add(new ModelOptions { Id = Nb2, PricePerImageUsd = 0.035m }));
        h.Handler.On(Nb2, Replies.Json(200, Replies.ImageBody(extra: ""","usage":{"prompt_tokens":10,"completion_tokens":1290,"total_tokens":1300,"cost":0.0391}""")));

        var result = await Generate(h);

        Assert.Equal(0.0391m, result.EstimatedCostUsd);
        Assert.Equal(0.0391m, Assert.Single(h.Client.Costs.GetTotals()).CostUsd);
    }

    [Fact]
    public async Task GetTotals_UnknownModelWithoutPrice_CountsTheCallAsUnpriced()
    {
        using var h = Harness.Create(o => o.Models.Add(new ModelOptions { Id = "vendor/other" }));
        h.Handler.On("vendor/other", Replies.Image());

        await Generate(h);

        var total = Assert.Single(h.Client.Costs.GetTotals());
        Assert.Equal(("vendor/other", 1L, 0m, 1L), (total.Model, total.Calls, total.CostUsd, total.UnpricedCalls));
        Assert.Contains("1 unpriced", total.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddNanoBananaClient_PricesAndBudgetInConfiguration_BindAndShareOneMeter()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NanoBanana:BaseAddress"] = "https://gateway.test/api/v1/",
            ["NanoBanana:ApiKey"] = Harness.ApiKey,
            ["NanoBanana:Models:0:Id"] = Nb2,
            ["NanoBanana:Models:0:PricePerImageUsd"] = "0.035",
            ["NanoBanana:Models:0:Prices:4K"] = "0.2",
            ["NanoBanana:Models:0:Prices:0.5K"] = "0.02",
            ["NanoBanana:Budget:MaxUsdPerCall"] = "0.25",
            ["NanoBanana:Budget:MaxUsdPerPeriod"] = "5",
            ["NanoBanana:Budget:Period"] = "07:00:00",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);

        services.AddNanoBananaClient();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<NanoBananaOptions>>().Value;
        var engine = provider.GetRequiredService<NanoBananaEngine>();

        var model = Assert.Single(options.Models);
        Assert.Equal(0.035m, model.PricePerImageUsd);
        Assert.Equal(0.2m, model.Prices["4k"]);
        Assert.Equal(0.02m, model.Prices["0.5K"]);
        Assert.Equal((0.25m, 5m, TimeSpan.FromHours(7)), (options.Budget.MaxUsdPerCall, options.Budget.MaxUsdPerPeriod, options.Budget.Period));
        Assert.Same(provider.GetRequiredService<INanoBananaCostMeter>(), engine.Costs);
    }
}
