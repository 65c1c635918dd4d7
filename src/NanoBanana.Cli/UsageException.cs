namespace NanoBanana.Cli;

/// <summary>Wrong command-line usage or configuration: exit code 2, with a message that says what would work.</summary>
internal class UsageException : Exception
{
    public UsageException()
        : this("Wrong usage.")
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
