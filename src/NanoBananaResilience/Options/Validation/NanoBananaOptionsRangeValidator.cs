using Microsoft.Extensions.Options;

namespace NanoBananaResilience;

/// <summary>
/// The range rules written as attributes on the options types, checked by code the Microsoft.Extensions.Options
/// source generator writes (no reflection). Rules between settings are in <see cref="NanoBananaOptionsValidator"/>.
/// </summary>
[OptionsValidator]
internal sealed partial class NanoBananaOptionsRangeValidator : IValidateOptions<NanoBananaOptions>
{
}
