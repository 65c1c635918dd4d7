using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace NanoBananaResilience.Redis;

/// <summary>
/// The connection and the rules every Redis operation follows: bounded by the operation timeout, never thrown to a
/// call, and reported once per change of availability (<see cref="NanoBananaRedisStatus"/>). When Redis answers again
/// after being away, <see cref="Rejoin"/> runs, once per return.
/// </summary>
internal sealed class RedisStore : IDisposable
{
    private readonly IConnectionMultiplexer _connection;
    private readonly bool _ownsConnection;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly TimeProvider _network;
    private readonly ILogger _logger;
    private readonly string? _password;
    private readonly string _failMode;
    private int _rejoining;

    /// <param name="options">The options.</param>
    /// <param name="services">The services, for the connection factory.</param>
    /// <param name="time">The application's clock, for when Redis went away.</param>
    /// <param name="logger">Where the changes of availability are logged.</param>
    /// <param name="network">The clock of the operation timeout: a network wait is real time, whatever clock the client runs on.</param>
    public RedisStore(NanoBananaRedisOptions options, IServiceProvider services, TimeProvider time, ILogger logger, TimeProvider? network = null)
    {
        _network = network ?? TimeProvider.System;
        _timeout = options.OperationTimeout;
        _time = time;
        _logger = logger;
        _failMode = options.BudgetFailMode == BudgetFailMode.FailClosed ? "closed" : "open";
        if (options.ConnectionMultiplexerFactory is { } factory)
        {
            _connection = factory(services);
            _password = TryPassword(_connection.Configuration);
        }
        else
        {
            var configuration = ConfigurationOptions.Parse(options.ConnectionString!);
            _password = configuration.Password;

            // Never wait for Redis: start without it (it is tried again in the background), fail an operation at
            // once while disconnected instead of queueing it, and come back quickly.
            configuration.AbortOnConnectFail = false;
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            configuration.ReconnectRetryPolicy = new ExponentialRetry(100, 1000);
            configuration.ConnectTimeout = Math.Max((int)Math.Ceiling(_timeout.TotalMilliseconds), Math.Min(configuration.ConnectTimeout, 2000));
            configuration.AsyncTimeout = Math.Max(1, (int)Math.Ceiling(_timeout.TotalMilliseconds));
            configuration.SyncTimeout = configuration.AsyncTimeout;

            // The client checks its operations against AsyncTimeout at each heartbeat: beat at half the timeout, so that
            // an operation ends within one and a half OperationTimeouts without a timer of its own on the call path.
            configuration.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(_timeout.TotalMilliseconds / 2, 10, 1000));
            configuration.ClientName ??= "nanobanana";
            _connection = ConnectionMultiplexer.Connect(configuration);
            _ownsConnection = true;
        }

        _connection.ConnectionFailed += OnConnectionFailed;
        _connection.ConnectionRestored += OnConnectionRestored;
        if (!_connection.IsConnected)
        {
            Failed(null, "not connected");
        }
    }

    public NanoBananaRedisStatus Status { get; } = new();

    public IDatabase Database => _connection.GetDatabase();

    public ISubscriber Subscriber => _connection.GetSubscriber();

    public TimeSpan Timeout => _timeout;

    public ILogger Logger => _logger;

    /// <summary>Runs after Redis answers again: writes this process's state back and reads the fleet's.</summary>
    public Func<Task>? Rejoin { get; set; }

    /// <summary>Runs one operation within the timeout; (false, default) when Redis is away, slow or failing.</summary>
    public async Task<(bool Ok, T Value)> TryAsync<T>(Func<IDatabase, Task<T>> operation)
    {
        if (!_connection.IsConnected)
        {
            Failed(null, "not connected");
            return (false, default!);
        }

        try
        {
            // A connection opened here times its operations out itself (AsyncTimeout, heartbeat); one from the
            // application's factory may wait far longer, so its operations get a timer of their own (it costs a
            // thread-pool hop per operation, measured at about 100 µs on a loaded machine).
            var pending = operation(_connection.GetDatabase());
            var value = _ownsConnection ? await pending.ConfigureAwait(false) : await pending.WaitAsync(_timeout, _network).ConfigureAwait(false);
            Answered();
            return (true, value);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Failed(e, null);
            return (false, default!);
        }
    }

    /// <summary>Runs one operation in the background, within the timeout; failures are reported like any other.</summary>
    public void Fire<T>(Func<IDatabase, Task<T>> operation, Action<T>? then = null, Action? failed = null)
        => _ = FireAsync(operation, then, failed);

    private async Task FireAsync<T>(Func<IDatabase, Task<T>> operation, Action<T>? then, Action? failed)
    {
        var (ok, value) = await TryAsync(operation).ConfigureAwait(false);
        if (ok)
        {
            then?.Invoke(value);
        }
        else
        {
            failed?.Invoke();
        }
    }

    public void Failed(Exception? error, string? what)
    {
        var text = Redact(what ?? $"{error!.GetType().Name}: {error.Message}");
        if (Status.Failed(_time.GetUtcNow(), text))
        {
            Log.Unavailable(_logger, text, _failMode);
        }
    }

    private void Answered()
    {
        if (Status.Answered())
        {
            Log.Rejoining(_logger);
            _ = RejoinAsync();
        }
    }

    private async Task RejoinAsync()
    {
        if (Interlocked.Exchange(ref _rejoining, 1) != 0 || Rejoin is not { } rejoin)
        {
            return;
        }

        try
        {
            await rejoin().ConfigureAwait(false);
            Status.Rejoined();
        }
        finally
        {
            Volatile.Write(ref _rejoining, 0);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
        => Failed(null, $"connection failed: {e.FailureType}");

    // The restored connection may be the subscription's: a first operation tells whether commands answer.
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
        => Fire(db => db.PingAsync());

    /// <summary>Removes the password from text that may quote the configuration.</summary>
    public string Redact(string text) => string.IsNullOrEmpty(_password) ? text : text.Replace(_password, "[redacted]", StringComparison.Ordinal);

    private static string? TryPassword(string configuration)
    {
        try
        {
            return ConfigurationOptions.Parse(configuration).Password;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
        if (_ownsConnection)
        {
            _connection.Dispose();
        }
    }
}
