using System.Globalization;
using Microsoft.Extensions.Options;

namespace NanoBananaResilience;

/// <summary>
/// Checks every rule a user could trip on, naming the configuration key and the bad value, so a wrong setting
/// fails at start-up instead of at the first call. Never echoes the API key or a header's value. Ranges are declared on
/// the options types and checked by the generated <see cref="NanoBananaOptionsRangeValidator"/>; this class adds the
/// rules that a single property's attribute cannot state: the endpoint and key, headers, model ids, price tables, and
/// rules between settings.
/// </summary>
internal sealed class NanoBananaOptionsValidator : IValidateOptions<NanoBananaOptions>
{
    private const string Section = NanoBananaOptions.SectionName;

    /// <summary>The characters besides letters and digits that HTTP allows in a header name (RFC 9110's <c>tchar</c>).</summary>
    private const string HeaderNameSymbols = "!#$%&'*+-.^_`|~";

    private static readonly NanoBananaOptionsRangeValidator Ranges = new();

    public ValidateOptionsResult Validate(string? name, NanoBananaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Collect(options);
        if (!string.IsNullOrEmpty(name) && errors.Count > 0)
        {
            // A named client's keys live under its own section: name the key the user has to change.
            var section = NanoBananaOptions.SectionFor(name) + ":";
            errors = [.. errors.Select(e => e.Replace(Section + ":", section, StringComparison.Ordinal))];
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Returns every problem found; empty when the options are valid.</summary>
    internal static List<string> Collect(NanoBananaOptions options)
    {
        var errors = new List<string>();

        // Validated without the name, so that every key starts with the section; Validate puts a named client's in.
        var ranges = Ranges.Validate(null, options);
        if (ranges.Failed)
        {
            // The generator's own messages (a null list item) name the member path; ours already name the key.
            errors.AddRange(ranges.Failures.Select(ConfigurationKey.InMessage));
        }

        ValidateEndpoint(options, errors);
        ValidateHeaders(options.Headers, Section, options.Gateways.Count == 0 ? $"{Section}:ApiKey" : $"each {Section}:Gateways:N:ApiKey", errors);
        ValidateModels(options, errors);
        ValidateProtocol(options, errors);
        if (options.AttemptTimeout > options.TotalTimeout)
        {
            errors.Add($"{Section}:AttemptTimeout ({options.AttemptTimeout}) must not exceed {Section}:TotalTimeout ({options.TotalTimeout}).");
        }

        if (options.Retry.BaseDelay > options.Retry.MaxDelay)
        {
            errors.Add($"{Section}:Retry:BaseDelay ({options.Retry.BaseDelay}) must not exceed {Section}:Retry:MaxDelay ({options.Retry.MaxDelay}).");
        }

        var peak = options.PeakHours;
        if (!Enum.IsDefined(peak.Mode))
        {
            errors.Add($"{Section}:PeakHours:Mode must be Clock or Adaptive; got {peak.Mode}.");
        }

        if (peak.Enabled && peak.Start == peak.End)
        {
            errors.Add($"{Section}:PeakHours:Start and {Section}:PeakHours:End are both {peak.Start}: the window would be empty; disable it with {Section}:PeakHours:Enabled = false instead.");
        }

        return errors;
    }

    private static void ValidateEndpoint(NanoBananaOptions options, List<string> errors)
    {
        if (options.Gateways.Count == 0)
        {
            ValidateAddressAndKey(Section, options.BaseAddress, options.ApiKey, options.AllowInsecureHttp, errors);
            return;
        }

        if (options.BaseAddress is not null || options.ApiKey is not null)
        {
            errors.Add($"{Section}:BaseAddress and {Section}:ApiKey are set together with {Section}:Gateways; set one or the other: move them into a gateway entry ({Section}:Gateways:0:BaseAddress, {Section}:Gateways:0:ApiKey) or remove {Section}:Gateways.");
        }

        if (!Enum.IsDefined(options.GatewaySelection))
        {
            errors.Add($"{Section}:GatewaySelection must be Ordered or Weighted; got {options.GatewaySelection}.");
        }

        var chain = options.GetEffectiveModels().Select(m => m.Id).ToList();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var served = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Gateways.Count; i++)
        {
            if (options.Gateways[i] is not { } gateway)
            {
                continue; // reported by the generated validator
            }

            var key = $"{Section}:Gateways:{i}";
            if (string.IsNullOrEmpty(gateway.Name) || !gateway.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add($"{key}:Name is required and may hold letters, digits, '-', '_' and '.'; got '{gateway.Name}'.");
            }
            else if (!names.Add(gateway.Name))
            {
                errors.Add($"{key}:Name '{gateway.Name}' names another gateway too; each needs a name of its own.");
            }

            ValidateAddressAndKey(key, gateway.BaseAddress, gateway.ApiKey, gateway.AllowInsecureHttp, errors);
            ValidateHeaders(gateway.Headers, key, $"{key}:ApiKey", errors);
            ValidateGatewayModels(gateway, key, chain, errors);
            served.UnionWith(gateway.Models.Count == 0 ? chain : gateway.Models);
        }

        foreach (var id in chain.Where(id => !served.Contains(id)))
        {
            errors.Add($"{Section}:Models has '{id}', which no gateway serves; add it to a gateway's Models list, or leave that list empty to serve every model.");
        }
    }

    private static void ValidateGatewayModels(GatewayOptions gateway, string key, List<string> chain, List<string> errors)
    {
        var known = $"the chain's models are {string.Join(", ", chain.Select(id => $"'{id}'"))}";
        foreach (var (list, ids) in new[] { ("Models", gateway.Models), ("ModelIds", gateway.ModelIds.Keys), ("PricePerImageUsd", gateway.PricePerImageUsd.Keys) })
        {
            foreach (var id in ids.Where(id => !chain.Contains(id, StringComparer.OrdinalIgnoreCase)))
            {
                errors.Add($"{key}:{list} names '{id}', which is not in {Section}:Models; {known}.");
            }
        }

        foreach (var (id, wire) in gateway.ModelIds)
        {
            if (string.IsNullOrWhiteSpace(wire) || wire.Trim() != wire || wire.Any(char.IsControl))
            {
                errors.Add($"{key}:ModelIds:{id} must be a model id without surrounding white space; got '{wire}'.");
            }
            else if (gateway.Protocol == GatewayProtocol.GoogleNative && GoogleNativeTransport.BareModelId(wire).Contains('/', StringComparison.Ordinal))
            {
                errors.Add($"{key}:ModelIds:{id} '{wire}' is not a Google model id; a GoogleNative gateway takes a bare id such as '{NanoBananaModels.NanoBananaPro}'.");
            }
        }

        if (gateway.Protocol == GatewayProtocol.GoogleNative)
        {
            var sentAsIs = (gateway.Models.Count == 0 ? chain : gateway.Models).Where(id => !gateway.ModelIds.ContainsKey(id));
            foreach (var id in sentAsIs.Where(id => GoogleNativeTransport.BareModelId(id).Contains('/', StringComparison.Ordinal)))
            {
                errors.Add($"{key} speaks GoogleNative but would send '{id}', which is not a Google model id; map it in {key}:ModelIds to a bare id such as '{NanoBananaModels.NanoBananaPro}'.");
            }
        }

        foreach (var (id, price) in gateway.PricePerImageUsd.Where(p => p.Value < 0))
        {
            errors.Add($"{key}:PricePerImageUsd:{id} must not be negative; got {Format(price)}.");
        }

        if (!Enum.IsDefined(gateway.Protocol))
        {
            errors.Add($"{key}:Protocol must be OpenAICompatible or GoogleNative; got {gateway.Protocol}.");
        }
    }

    private static void ValidateAddressAndKey(string section, Uri? baseAddress, string? apiKey, bool allowInsecureHttp, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            var variable = section.Replace(":", "__", StringComparison.Ordinal) + "__ApiKey";
            errors.Add($"{section}:ApiKey is required (set it in configuration, user secrets or the environment variable {variable}).");
        }
        else if (apiKey.Any(char.IsWhiteSpace) || apiKey.Any(char.IsControl))
        {
            // The value itself is a secret: say what is wrong without printing it.
            errors.Add($"{section}:ApiKey contains white space or control characters (a pasted line break?).");
        }

        if (baseAddress is null)
        {
            errors.Add($"{section}:BaseAddress is required, for example 'https://openrouter.ai/api/v1/'.");
            return;
        }

        if (!baseAddress.IsAbsoluteUri)
        {
            errors.Add($"{section}:BaseAddress must be an absolute URI; got '{baseAddress.OriginalString}'.");
            return;
        }

        if (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp)
        {
            errors.Add($"{section}:BaseAddress must use https; got scheme '{baseAddress.Scheme}' in '{Redact(baseAddress)}'.");
        }
        else if (baseAddress.Scheme == Uri.UriSchemeHttp && !baseAddress.IsLoopback && !allowInsecureHttp)
        {
            errors.Add($"{section}:BaseAddress '{Redact(baseAddress)}' uses http to a non-loopback host, which would send the API key in clear text; use https, or set {section}:AllowInsecureHttp to true.");
        }

        if (!string.IsNullOrEmpty(baseAddress.UserInfo))
        {
            errors.Add($"{section}:BaseAddress must not carry credentials in its user-info part; put the key in {section}:ApiKey.");
        }

        if (!string.IsNullOrEmpty(baseAddress.Query) || !string.IsNullOrEmpty(baseAddress.Fragment))
        {
            errors.Add($"{section}:BaseAddress must not have a query or fragment; got '{Redact(baseAddress)}'.");
        }
    }

    /// <summary>
    /// Headers go on the wire as written (<see cref="GatewayHeaders"/>), so what HTTP or the library would refuse or
    /// garble is named here. A value may be a secret: the messages name the key, never the value.
    /// </summary>
    private static void ValidateHeaders(IDictionary<string, string> headers, string section, string apiKeyKey, List<string> errors)
    {
        foreach (var (name, value) in headers)
        {
            var key = $"{section}:Headers:{name}";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || HeaderNameSymbols.Contains(c, StringComparison.Ordinal)))
            {
                errors.Add($"{key}: '{name}' is not a header name; a name holds letters, digits and {HeaderNameSymbols} only.");
            }
            else if (GatewayHeaders.KeyHeaders.Contains(name))
            {
                errors.Add($"{key} would replace the header that carries the API key; set the key in {apiKeyKey} and remove this entry.");
            }
            else if (GatewayHeaders.OwnedHeaders.Contains(name))
            {
                errors.Add($"{key} is a header the library or the HTTP stack writes on every request; remove this entry.");
            }
            else if (!GatewayHeaders.IsRequestHeader(name))
            {
                errors.Add($"{key} describes a request body, and the library writes the body; remove this entry.");
            }

            // Printable ASCII and tab: a line break would split the request, and the HTTP stack refuses anything else.
            if (value is not null && value.Any(c => c is (< ' ' and not '\t') or > '~'))
            {
                errors.Add($"{key} has a line break, a control character or a non-ASCII character (a pasted line break?); a header value is one line of plain ASCII.");
            }
        }
    }

    private static void ValidateModels(NanoBananaOptions options, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var key = $"{Section}:Models:{i}";
            if (model is null)
            {
                continue; // reported by the generated validator
            }

            if (string.IsNullOrWhiteSpace(model.Id))
            {
                errors.Add($"{key}:Id is required; got '{model.Id}'.");
            }
            else if (model.Id.Trim() != model.Id || model.Id.Any(char.IsControl))
            {
                errors.Add($"{key}:Id must not have surrounding white space or control characters; got '{model.Id}'.");
            }
            else if (!seen.Add(model.Id))
            {
                errors.Add($"{key}:Id '{model.Id}' appears more than once in {Section}:Models.");
            }

            ValidatePrices(model, key, errors);
        }
    }

    private static void ValidateProtocol(NanoBananaOptions options, List<string> errors)
    {
        if (!Enum.IsDefined(options.Protocol))
        {
            errors.Add($"{Section}:Protocol must be OpenAICompatible or GoogleNative; got {options.Protocol}.");
            return;
        }

        if (options.Gateways.Count > 0 || options.Protocol != GatewayProtocol.GoogleNative)
        {
            return; // each gateway's protocol is checked with the gateway
        }

        // Google's path has room for one bare id; anything else is another gateway's id and would only draw 404s.
        for (var i = 0; i < options.Models.Count; i++)
        {
            if (options.Models[i]?.Id is { } id && GoogleNativeTransport.BareModelId(id).Contains('/', StringComparison.Ordinal))
            {
                errors.Add($"{Section}:Models:{i}:Id '{id}' is not a Google model id; with {Section}:Protocol GoogleNative use a bare id such as '{NanoBananaModels.NanoBananaPro}'.");
            }
        }
    }

    private static void ValidatePrices(ModelOptions model, string key, List<string> errors)
    {
        var sizes = new HashSet<ImageSize>();
        foreach (var (size, price) in model.Prices)
        {
            if (!ImageSize.TryParse(size, out var parsed))
            {
                errors.Add($"{key}:Prices:{size} is not an image size; use 0.5K, 1K, 2K or 4K.");
            }
            else if (!sizes.Add(parsed))
            {
                errors.Add($"{key}:Prices:{size} prices {parsed} a second time.");
            }

            if (price < 0)
            {
                errors.Add($"{key}:Prices:{size} must not be negative; got {Format(price)}.");
            }
        }
    }

    private static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Redact(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
}
