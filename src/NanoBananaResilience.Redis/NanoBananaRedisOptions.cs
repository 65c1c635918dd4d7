using System.Globalization;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis;

/// <summary>
/// Options of the Redis-backed shared state (<c>AddRedisState</c>). Set either <see cref="ConnectionString"/> or
/// <see cref="ConnectionMultiplexerFactory"/>.
/// </summary>
public sealed class NanoBananaRedisOptions
{
    /// <summary>
    /// Gets or sets the StackExchange.Redis configuration string, such as <c>redis.example.com:6380,ssl=true,password=…</c>.
    /// The password is never logged or reported. <see langword="null"/> when <see cref="ConnectionMultiplexerFactory"/> is set.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets a factory of the connection to use instead of <see cref="ConnectionString"/>, for an application
    /// that already has one. The connection stays the application's: it is not disposed with the client.
    /// </summary>
    public Func<IServiceProvider, IConnectionMultiplexer>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>
    /// Gets or sets the start of every key and channel, so that applications (or environments) sharing one Redis keep
    /// apart. The default value is <c>nanobanana</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "nanobanana";

    /// <summary>Gets or sets what a period budget does while Redis does not answer. The default value is <see cref="BudgetFailMode.FailClosed"/>.</summary>
    public BudgetFailMode BudgetFailMode { get; set; } = BudgetFailMode.FailClosed;

    /// <summary>
    /// Gets or sets, with <see cref="BudgetFailMode.FailOpen"/>, the share of <c>Budget:MaxUsdPerPeriod</c> in (0, 1]
    /// that one process may spend on its own while Redis does not answer. The default value is 0.1.
    /// </summary>
    public decimal FailOpenShare { get; set; } = 0.1m;

    /// <summary>
    /// Gets or sets the longest any Redis operation may take before the client goes on without it. The default value
    /// is 250 ms; from 10 ms to 10 s.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Gets or sets how old the fleet's view of a model may be before a decision about it reads it again in the
    /// background (changes also arrive at once by publish/subscribe). The default value is 1 s; from 50 ms to 1 h.
    /// </summary>
    public TimeSpan HealthRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the options; the messages name each setting and value (never the connection string).</summary>
    /// <returns>The problems found, empty when the options are valid.</returns>
    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (ConnectionString is null == ConnectionMultiplexerFactory is null)
        {
            errors.Add("Redis:ConnectionString or Redis:ConnectionMultiplexerFactory must be set, and not both.");
        }
        else if (ConnectionString is not null)
        {
            if (string.IsNullOrWhiteSpace(ConnectionString))
            {
                errors.Add("Redis:ConnectionString must not be empty.");
            }
            else
            {
                try
                {
                    _ = ConfigurationOptions.Parse(ConnectionString);
                }
                catch (ArgumentException)
                {
                    // The parser's message quotes the string, which may hold the password.
                    errors.Add("Redis:ConnectionString is not a StackExchange.Redis configuration string (host:port[,option=value…]).");
                }
            }
        }

        if (string.IsNullOrEmpty(KeyPrefix) || KeyPrefix.Length > 100 || KeyPrefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Redis:KeyPrefix must be 1–100 characters without white space or braces; got '{KeyPrefix}'."));
        }

        if (!Enum.IsDefined(BudgetFailMode))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Redis:BudgetFailMode must be FailClosed or FailOpen; got {(int)BudgetFailMode}."));
        }

        if (FailOpenShare is <= 0m or > 1m)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Redis:FailOpenShare must be more than 0 and at most 1; got {FailOpenShare}."));
        }

        if (OperationTimeout < TimeSpan.FromMilliseconds(10) || OperationTimeout > TimeSpan.FromSeconds(10))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Redis:OperationTimeout must be between 00:00:00.0100000 and 00:00:10; got {OperationTimeout}."));
        }

        if (HealthRefreshInterval < TimeSpan.FromMilliseconds(50) || HealthRefreshInterval > TimeSpan.FromHours(1))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Redis:HealthRefreshInterval must be between 00:00:00.0500000 and 01:00:00; got {HealthRefreshInterval}."));
        }

        return errors;
    }
}
