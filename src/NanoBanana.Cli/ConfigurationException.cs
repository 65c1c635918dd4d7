namespace NanoBanana.Cli;

/// <summary>
/// Configuration the command cannot use (exit 2): the message names the key, the value and what would work. A kind of
/// usage error, so a command that only knows <see cref="UsageException"/> still answers it with exit 2; the JSON
/// failure names it <c>Configuration</c>.
/// </summary>
internal sealed class ConfigurationException(string message) : UsageException(message);
