namespace NanoBanana.Cli;

/// <summary>Configuration the command cannot use (exit 2): the message names the key, the value and what would work.</summary>
internal sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException()
        : this("The configuration is invalid.")
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
