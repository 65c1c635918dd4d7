using System.Globalization;

namespace NanoBananaResilience;

/// <summary>What one model's successful calls have cost so far.</summary>
public sealed class ModelCostTotal
{
    // Internal so that a field can be added without breaking callers; tests build totals with NanoBananaModelFactory.
    /// <param name="model">The model id.</param>
    /// <param name="calls">The successful calls the model served.</param>
    /// <param name="images">The images those calls returned.</param>
    /// <param name="costUsd">Their cost in US dollars.</param>
    /// <param name="unpricedCalls">The calls among them whose cost was unknown (not in <paramref name="costUsd"/>).</param>
    /// <param name="gateway">The gateway the calls went through, or <see langword="null"/> without named gateways.</param>
    internal ModelCostTotal(string model, long calls, long images, decimal costUsd, long unpricedCalls, string? gateway = null)
    {
        Gateway = gateway;
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Calls = calls;
        Images = images;
        CostUsd = costUsd;
        UnpricedCalls = unpricedCalls;
    }

    /// <summary>Gets the model id.</summary>
    public string Model { get; }

    /// <summary>
    /// Gets the gateway these totals went through, or <see langword="null"/> without named gateways: with named
    /// gateways there is one total per route, so a reseller's share and price can be read apart.
    /// </summary>
    public string? Gateway { get; }

    /// <summary>Gets how many successful calls the model served.</summary>
    public long Calls { get; }

    /// <summary>Gets how many images those calls returned.</summary>
    public long Images { get; }

    /// <summary>Gets what those calls cost in US dollars, unpriced calls excluded.</summary>
    public decimal CostUsd { get; }

    /// <summary>Gets how many calls had no known price (an unknown model without a configured price): a non-zero value means <see cref="CostUsd"/> is short.</summary>
    public long UnpricedCalls { get; }

    /// <inheritdoc />
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Model}{(Gateway is null ? string.Empty : " via " + Gateway)}: {Calls} call(s), {Images} image(s), {CostUsd:0.####} USD{(UnpricedCalls > 0 ? $" ({UnpricedCalls} unpriced)" : string.Empty)}");
}
