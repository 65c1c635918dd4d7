using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NanoBananaResilience;
using NanoBananaResilience.Redis;
using NanoBananaResilience.Redis.Worker;

// One job a line in, one result a line out, until standard input closes.
while (await Console.In.ReadLineAsync() is { } line)
{
    if (string.IsNullOrWhiteSpace(line))
    {
        continue;
    }

    var job = JsonSerializer.Deserialize(line, WorkerJson.Default.Job) ?? throw new InvalidOperationException("empty job");
    var result = await Runner.RunAsync(job);
    Console.Out.WriteLine(JsonSerializer.Serialize(result, WorkerJson.Default.Result));
    Console.Out.Flush();
}

namespace NanoBananaResilience.Redis.Worker
{
    internal static class Runner
    {
        public static async Task<Result> RunAsync(Job job)
        {
            var services = new ServiceCollection();
            var client = services.AddNanoBananaClient(options => Configure(options, job));
            if (job.Redis is { } redis)
            {
                client.AddRedisState(options =>
                {
                    options.ConnectionString = redis;
                    options.KeyPrefix = job.Prefix;
                    options.BudgetFailMode = job.FailOpen ? BudgetFailMode.FailOpen : BudgetFailMode.FailClosed;
                    options.FailOpenShare = job.FailOpenShare;
                    options.OperationTimeout = TimeSpan.FromMilliseconds(job.OperationTimeoutMs);
                });
            }

            await using var provider = services.BuildServiceProvider();
            var images = provider.GetRequiredService<INanoBananaClient>();
            var status = job.Redis is null ? null : provider.GetRequiredService<NanoBananaRedisStatus>();
            if (job.StartDelayMs > 0)
            {
                await Task.Delay(job.StartDelayMs);
            }

            var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            var sent = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            void CountSent(IReadOnlyList<AttemptRecord> trail)
            {
                foreach (var record in trail.Where(r => r.Outcome is not (AttemptOutcome.CircuitOpen or AttemptOutcome.BudgetExceeded)))
                {
                    sent.AddOrUpdate(record.Model, 1, (_, n) => n + 1);
                }
            }

            var details = new ConcurrentQueue<string>();
            long succeeded = 0, failed = 0, escaped = 0, imagesPaid = 0, paidMicros = 0, sawUnavailable = 0;
            var next = -1;
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, job.Concurrency).Select(async lane =>
            {
                while (true)
                {
                    var index = Interlocked.Increment(ref next);
                    if (index >= job.Calls)
                    {
                        return;
                    }

                    if (job.PaceMs > 0)
                    {
                        // Calls leave on a schedule, as requests reach a replica: index × pace after the start.
                        var due = TimeSpan.FromMilliseconds((double)index * job.PaceMs) - clock.Elapsed;
                        if (due > TimeSpan.Zero)
                        {
                            await Task.Delay(due);
                        }
                    }

                    try
                    {
                        var result = await images.GenerateAsync("a banana " + index);
                        Interlocked.Increment(ref succeeded);
                        CountSent(result.Attempts);
                        Interlocked.Add(ref imagesPaid, result.Images.Count);
                        Interlocked.Add(ref paidMicros, (long)Math.Ceiling((result.EstimatedCostUsd ?? 0m) * 1_000_000m));
                    }
                    catch (NanoBananaException e)
                    {
                        Interlocked.Increment(ref failed);
                        CountSent(e.Attempts);
                        outcomes.AddOrUpdate(e.Outcome.ToString(), 1, (_, n) => n + 1);
                        if (details.Count < 5)
                        {
                            details.Enqueue(e.Attempts.Count > 0 ? e.Attempts[^1].Detail ?? e.Message : e.Message);
                        }
                    }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref escaped);
                        if (details.Count < 5)
                        {
                            details.Enqueue(e.GetType().Name + ": " + e.Message);
                        }
                    }

                    if (status is { IsAvailable: false })
                    {
                        Interlocked.Exchange(ref sawUnavailable, 1);
                    }
                }
            }).ToList();
            await Task.WhenAll(workers);
            return new Result
            {
                Succeeded = succeeded,
                Failed = failed,
                Escaped = escaped,
                Images = imagesPaid,
                PaidMicros = paidMicros,
                Outcomes = new Dictionary<string, int>(outcomes, StringComparer.Ordinal),
                Sent = new Dictionary<string, int>(sent, StringComparer.Ordinal),
                Details = [.. details],
                SawUnavailable = sawUnavailable != 0,
                Rejoins = status?.Rejoins ?? 0,
                ElapsedMs = clock.ElapsedMilliseconds,
            };
        }

        private static void Configure(NanoBananaOptions options, Job job)
        {
            options.BaseAddress = new Uri(job.Gateway);
            options.ApiKey = "sk-worker";
            options.PeakHours.Enabled = false;
            options.Retry.BaseDelay = TimeSpan.FromMilliseconds(job.BackoffMs);
            options.Retry.MaxDelay = TimeSpan.FromMilliseconds(job.BackoffMs * 2);
            options.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(job.BreakMs);
            options.CircuitBreaker.MaxBreakDuration = TimeSpan.FromMilliseconds(job.MaxBreakMs);
            options.CircuitBreaker.ProbeInterval = TimeSpan.FromMilliseconds(job.ProbeMs);
            options.CircuitBreaker.MinimumThroughput = job.DownAfter;
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
            options.AttemptTimeout = TimeSpan.FromSeconds(10);
            options.TotalTimeout = TimeSpan.FromSeconds(20);
            if (job.BudgetUsd is { } budget)
            {
                options.Budget.MaxUsdPerPeriod = budget;
                options.Budget.Period = TimeSpan.FromHours(1);
            }

            foreach (var model in job.Models)
            {
                options.Models.Add(new ModelOptions { Id = model, MaxAttempts = model == job.Models[0] ? 3 : 2, PricePerImageUsd = job.PriceUsd });
            }
        }
    }
}
