using System.Reflection;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests;

public class NanoBananaModelFactoryTests
{
    public static TheoryData<Type> OutputModels => new()
    {
        typeof(NanoBananaResult),
        typeof(AttemptRecord),
        typeof(GeneratedImage),
        typeof(NanoBananaUsage),
        typeof(ModelCostTotal),
        typeof(ModelStatus),
    };

    [Theory]
    [MemberData(nameof(OutputModels))]
    public void OutputModel_PublicSurface_HasNoConstructorSetterOrDeconstruct(Type type)
    {
        Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        Assert.All(type.GetProperties(BindingFlags.Public | BindingFlags.Instance), p => Assert.Null(p.SetMethod));
        Assert.Null(type.GetMethod("Deconstruct"));
        Assert.Contains(typeof(NanoBananaModelFactory).GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.ReturnType == type);
    }

    [Fact]
    public void GeneratedImage_BytesOnly_ReadsMediaTypeAndSizeFromThem()
    {
        var image = NanoBananaModelFactory.GeneratedImage(TestImages.PngHeader(640, 480));

        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(640, image.Width);
        Assert.Equal(480, image.Height);
        Assert.Null(image.Url);
    }

    [Fact]
    public void GeneratedImage_AddressOnly_KeepsTheAddressWithoutBytes()
    {
        var url = new Uri("https://cdn.example.test/a.png");

        var image = NanoBananaModelFactory.GeneratedImage(ReadOnlyMemory<byte>.Empty, "image/png", url: url);

        Assert.True(image.Data.IsEmpty);
        Assert.Equal(url, image.Url);
        Assert.Equal("image/png", image.MediaType);
    }

    [Fact]
    public void AttemptRecord_DefaultsFromOutcome_ReturnForSuccessNextModelOtherwise()
    {
        Assert.Equal(AttemptDecision.Return, NanoBananaModelFactory.AttemptRecord("m", AttemptOutcome.Success).Decision);
        var failed = NanoBananaModelFactory.AttemptRecord("m", AttemptOutcome.Overloaded, 503, waited: TimeSpan.FromSeconds(2));
        Assert.Equal(AttemptDecision.NextModel, failed.Decision);
        Assert.Equal(WaitReason.Backoff, failed.WaitReason);
    }

    [Fact]
    public void AttemptRecord_EveryField_IsKept()
    {
        var record = NanoBananaModelFactory.AttemptRecord(
            "m", AttemptOutcome.RateLimited, 429, TimeSpan.FromMilliseconds(12), TimeSpan.FromSeconds(15), AttemptDecision.Retry, "RESOURCE_EXHAUSTED", WaitReason.RetryInfo, "per-minute quota");

        Assert.Equal(("m", AttemptOutcome.RateLimited, 429, "RESOURCE_EXHAUSTED"), (record.Model, record.Outcome, record.StatusCode, record.ProviderStatus));
        Assert.Equal((TimeSpan.FromMilliseconds(12), TimeSpan.FromSeconds(15)), (record.Elapsed, record.Waited));
        Assert.Equal((WaitReason.RetryInfo, AttemptDecision.Retry, "per-minute quota"), (record.WaitReason, record.Decision, record.Detail));
    }

    [Fact]
    public void NanoBananaResult_NoAttempts_OneSuccessOnTheServingModel()
    {
        var image = NanoBananaModelFactory.GeneratedImage(TestImages.TinyPng);

        var result = NanoBananaModelFactory.NanoBananaResult([image], NanoBananaModels.NanoBananaPro, estimatedCostUsd: 0.134m);

        Assert.Same(image, result.Image);
        Assert.Equal(NanoBananaModels.NanoBananaPro, result.Model);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal((NanoBananaModels.NanoBananaPro, AttemptOutcome.Success), (attempt.Model, attempt.Outcome));
        Assert.Equal(0.134m, result.EstimatedCostUsd);
    }

    [Fact]
    public void NanoBananaResult_NoImages_Throws()
        => Assert.Throws<ArgumentException>(() => NanoBananaModelFactory.NanoBananaResult([]));

    [Fact]
    public void NanoBananaUsage_NoTotal_SumsPromptAndCompletion()
    {
        var usage = NanoBananaModelFactory.NanoBananaUsage(promptTokens: 10, completionTokens: 1290, imageTokens: 1290, reportedCostUsd: 0.04m);

        Assert.Equal(1300, usage.TotalTokens);
        Assert.Equal(1290, usage.ImageTokens);
        Assert.Equal(0.04m, usage.ReportedCostUsd);
    }

    [Fact]
    public void ModelCostTotal_EveryField_IsKept()
    {
        var total = NanoBananaModelFactory.ModelCostTotal("m", calls: 3, images: 4, costUsd: 0.2m, unpricedCalls: 1);

        Assert.Equal(("m", 3L, 4L, 0.2m, 1L), (total.Model, total.Calls, total.Images, total.CostUsd, total.UnpricedCalls));
    }

    [Fact]
    public void ViaGateway_EachType_CopiesEverythingAndNamesTheGateway()
    {
        var record = NanoBananaModelFactory.AttemptRecord(NanoBananaModels.NanoBananaPro, AttemptOutcome.Overloaded, 503, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), detail: "busy");
        var result = NanoBananaModelFactory.NanoBananaResult([NanoBananaModelFactory.GeneratedImage(TestImages.TinyPng)], estimatedCostUsd: 0.05m);
        var total = NanoBananaModelFactory.ModelCostTotal(NanoBananaModels.NanoBanana2, calls: 3, images: 3, costUsd: 0.2m);
        var status = NanoBananaModelFactory.ModelStatus(NanoBananaModels.NanoBanana2, ModelBreakerState.Open, DateTimeOffset.UnixEpoch);

        var routed = NanoBananaModelFactory.ViaGateway(record, "openrouter");
        var delivered = NanoBananaModelFactory.ViaGateway(result, "reseller");

        Assert.Equal((record.Model, record.Outcome, record.StatusCode, record.Elapsed, record.Waited, record.WaitReason, record.Decision, record.Detail, "openrouter"), (routed.Model, routed.Outcome, routed.StatusCode, routed.Elapsed, routed.Waited, routed.WaitReason, routed.Decision, routed.Detail, routed.Gateway));
        Assert.Contains(" via openrouter: ", routed.ToString(), StringComparison.Ordinal);
        Assert.Equal((result.Images, result.Model, result.Attempts, result.EstimatedCostUsd, "reseller"), (delivered.Images, delivered.Model, delivered.Attempts, delivered.EstimatedCostUsd, delivered.Gateway));
        Assert.Equal("gemini-3.1-flash-image-preview via reseller: 3 call(s), 3 image(s), 0.2 USD", NanoBananaModelFactory.ViaGateway(total, "reseller").ToString());
        Assert.StartsWith("gemini-3.1-flash-image-preview via openrouter: Open, resting until", NanoBananaModelFactory.ViaGateway(status, "openrouter").ToString(), StringComparison.Ordinal);
        Assert.Null(record.Gateway);
    }
}
