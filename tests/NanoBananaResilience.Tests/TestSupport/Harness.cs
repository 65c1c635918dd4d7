using Microsoft.Extensions.Time.Testing;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>A client over a scripted endpoint and a fake clock, off-peak unless told otherwise.</summary>
internal sealed class Harness : IDisposable
{
    public const string Nb2 = NanoBananaModels.NanoBanana2;
    public const string Pro = NanoBananaModels.NanoBananaPro;
    public const string ApiKey = "sk-test-0123456789-secret";

    /// <summary>02:00 UTC on a Monday: outside the default peak window.</summary>
    public static readonly DateTimeOffset OffPeak = new(2025, 3, 3, 2, 0, 0, TimeSpan.Zero);

    private Harness(NanoBananaOptions options, DateTimeOffset start, Func<double> random)
    {
        Options = options;
        Time = new FakeTimeProvider(start);
        Http = new HttpClient(Handler) { Timeout = Timeout.InfiniteTimeSpan };
        Engine = new NanoBananaEngine(options, Time, random: random);
        Client = new NanoBananaClient(Http, Engine);
    }

    public NanoBananaOptions Options { get; }

    public FakeTimeProvider Time { get; }

    public ScriptedHandler Handler { get; } = new();

    public HttpClient Http { get; }

    public NanoBananaEngine Engine { get; }

    public NanoBananaClient Client { get; }

    public static NanoBananaOptions ValidOptions(Action<NanoBananaOptions>? configure = null)
    {
        var options = new NanoBananaOptions { BaseAddress = new Uri("https://gateway.test/api/v1/"), ApiKey = ApiKey };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Creates a harness; jitter draws 0.0 (half of the exponential delay) unless <paramref name="random"/> says otherwise.</summary>
    public static Harness Create(Action<NanoBananaOptions>? configure = null, DateTimeOffset? start = null, Func<double>? random = null)
        => new(ValidOptions(configure), start ?? OffPeak, random ?? (() => 0.0));

    /// <summary>Starts a call and drives the fake clock until it ends.</summary>
    public Task<NanoBananaResult> GenerateAsync(string prompt = "a cat in a spacesuit", TimeSpan? step = null)
        => Time.DriveAsync(Client.GenerateAsync(prompt, TestContext.Current.CancellationToken), step);

    /// <summary>Starts a call that must fail and returns its exception.</summary>
    public async Task<NanoBananaException> FailAsync(string prompt = "a cat in a spacesuit", TimeSpan? step = null)
        => await Assert.ThrowsAsync<NanoBananaException>(() => GenerateAsync(prompt, step));

    public void Dispose()
    {
        Engine.Dispose();
        Http.Dispose();
    }
}

internal static class FakeClock
{
    /// <summary>
    /// Advances the fake clock in small steps until <paramref name="task"/> ends, yielding to the thread pool between
    /// steps so continuations run before time moves on. Fails if the task is still running after <paramref name="limit"/> of fake time.
    /// </summary>
    public static async Task<T> DriveAsync<T>(this FakeTimeProvider time, Task<T> task, TimeSpan? step = null, TimeSpan? limit = null)
    {
        var increment = step ?? TimeSpan.FromMilliseconds(100);
        var budget = limit ?? TimeSpan.FromHours(3);
        var advanced = TimeSpan.Zero;
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(2));
            if (task.IsCompleted)
            {
                break;
            }

            if (advanced >= budget)
            {
                throw new TimeoutException($"The call was still running after {budget} of fake time.");
            }

            time.Advance(increment);
            advanced += increment;
        }

        return await task;
    }

    /// <summary>Waits (in real time, briefly) until a condition holds, without moving the fake clock.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(1);
        }

        Assert.True(condition(), "the condition did not become true");
    }
}
