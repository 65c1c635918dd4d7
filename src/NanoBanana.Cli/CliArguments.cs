namespace NanoBanana.Cli;

/// <summary>A small, strict parser: positional words and <c>--name value</c> / <c>--flag</c> options.</summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);

    private CliArguments()
    {
    }

    public List<string> Positionals { get; } = [];

    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlySet<string> flags, IReadOnlySet<string> valued)
    {
        var parsed = new CliArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                parsed.Positionals.AddRange(args.Skip(i + 1));
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                parsed.Positionals.Add(arg);
                continue;
            }

            var name = arg;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            if (flags.Contains(name) && value is null)
            {
                parsed.Add(name, "true");
            }
            else if (valued.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new UsageException($"{name} needs a value.");
                    }

                    value = args[++i];
                }

                parsed.Add(name, value);
            }
            else
            {
                throw new UsageException($"Unknown option '{name}'.");
            }
        }

        return parsed;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Value(string name) => _options.TryGetValue(name, out var values) ? values[^1] : null;

    public IReadOnlyList<string> Values(string name) => _options.TryGetValue(name, out var values) ? values : [];

    private void Add(string name, string value)
    {
        if (!_options.TryGetValue(name, out var values))
        {
            _options[name] = values = [];
        }

        values.Add(value);
    }
}

/// <summary>Wrong command-line usage: exit code 2.</summary>
internal class UsageException(string message, bool showUsage = true) : Exception(message)
{
    /// <summary>Gets a value indicating whether the usage text helps (not for a configuration problem).</summary>
    public bool ShowUsage { get; } = showUsage;

    public UsageException()
        : this("Wrong usage.")
    {
    }

    public UsageException(string message, Exception inner)
        : this(message) => _ = inner;
}
