using System.Net;
using System.Text;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Simulation;

/// <summary>
/// The article's solutions, ported line for line from its Python: one model alone, Solution 1 (retry with backoff),
/// Solution 2 (Pro fallback), Solution 3 (peak-hour switching) and Solution 4 (the full chain).
/// </summary>
/// <remarks>
/// What the ports keep from the Python, because it changes the numbers:
/// <list type="bullet">
/// <item><description>the wait after a 503 is <c>2 ** attempt + random.uniform(0, 1)</c> seconds with <c>attempt</c>
/// counting from 0 — 1, 2, 4 … s — and it is slept after every 503, the last one on a model included;</description></item>
/// <item><description>Solution 4 leaves a model for the next one only on a 429 or a timeout; any other error ends the
/// call (the Python re-raises it), and so does a 200 without an image (the Python returns that response);</description></item>
/// <item><description>every request has the client's 120 s timeout; the hour test is the inclusive
/// <c>10 &lt;= hour &lt;= 14</c>, read once when the call starts;</description></item>
/// <item><description>requests are counted as the loops send them; an SDK's own hidden retries are not modelled.</description></item>
/// </list>
/// </remarks>
internal static class ArticleStrategies
{
    public const string NanoBanana2 = SimulatedModels.NanoBanana2;
    public const string NanoBananaPro = SimulatedModels.NanoBananaPro;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(120);
    private static readonly Uri Endpoint = new("http://127.0.0.1/v1/chat/completions");

    /// <summary>What the article's code sees of one request.</summary>
    internal enum Answer
    {
        Image,
        NoImage,
        Overloaded,
        RateLimited,
        TimedOut,
        OtherError,
    }

    public static IReadOnlyList<Strategy> All { get; } =
    [
        new("nb2-only", "Nano Banana 2, one request", c => new Calls(c, (run, i, d) => run.OnceAsync(NanoBanana2, d))),
        new("pro-only", "Nano Banana Pro, one request", c => new Calls(c, (run, i, d) => run.OnceAsync(NanoBananaPro, d))),
        new("s1", "Solution 1: NB2 up to 5 times, 2^n + U(0,1) s after each 503", c => new Calls(c, (run, i, d) => run.Solution1Async(i, d))),
        new("s2", "Solution 2: NB2 once, on any error Pro once", c => new Calls(c, (run, i, d) => run.Solution2Async(d))),
        new("s3", "Solution 3: Pro when 10 <= hour <= 14, else NB2; one request", c => new Calls(c, (run, i, d) => run.Solution3Async(d))),
        new("s4", "Solution 4: NB2 ×3 → Pro ×2 (reversed when 10 <= hour <= 14), 2^n + U(0,1) s after each 503, next model on 429 or timeout", c => new Calls(c, (run, i, d) => run.Solution4Async(i, d))),
    ];

    /// <summary>The backoff of the article's loops: <c>2 ** attempt + random.uniform(0, 1)</c>, attempt from 0.</summary>
    public static TimeSpan Backoff(int attempt, Random random) => TimeSpan.FromSeconds(Math.Pow(2, attempt) + random.NextDouble());

    /// <summary>The hour test of Solutions 3 and 4, inclusive as in the article's code (it also covers 14:00–14:59).</summary>
    public static bool IsPeak(DateTimeOffset now) => now.Hour is >= 10 and <= 14;

    private sealed class Calls(StrategyContext context, Func<Calls, int, CancellationToken, Task<CallResult>> call) : IStrategyRun
    {
        public Task<CallResult> CallAsync(int index, CancellationToken deadline) => call(this, index, deadline);

        public void Dispose()
        {
        }

        public async Task<CallResult> OnceAsync(string model, CancellationToken deadline)
            => await SendAsync(model, deadline).ConfigureAwait(false) == Answer.Image ? new(true, model) : CallResult.Failed;

        public async Task<CallResult> Solution1Async(int index, CancellationToken deadline)
        {
            var random = CallRandom(index);
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var answer = await SendAsync(NanoBanana2, deadline).ConfigureAwait(false);
                if (answer == Answer.Image)
                {
                    return new(true, NanoBanana2);
                }

                if (answer != Answer.Overloaded)
                {
                    return CallResult.Failed; // raise e
                }

                await Task.Delay(Backoff(attempt, random), context.Clock, deadline).ConfigureAwait(false);
            }

            return CallResult.Failed;
        }

        public async Task<CallResult> Solution2Async(CancellationToken deadline)
        {
            var first = await SendAsync(NanoBanana2, deadline).ConfigureAwait(false);
            if (first is Answer.Image or Answer.NoImage)
            {
                return first == Answer.Image ? new(true, NanoBanana2) : CallResult.Failed; // no exception: the response is returned
            }

            return await OnceAsync(NanoBananaPro, deadline).ConfigureAwait(false);
        }

        public Task<CallResult> Solution3Async(CancellationToken deadline)
            => OnceAsync(IsPeak(context.Clock.GetUtcNow()) ? NanoBananaPro : NanoBanana2, deadline);

        public async Task<CallResult> Solution4Async(int index, CancellationToken deadline)
        {
            var random = CallRandom(index);
            (string Model, int Attempts)[] chain = IsPeak(context.Clock.GetUtcNow())
                ? [(NanoBananaPro, 2), (NanoBanana2, 3)]
                : [(NanoBanana2, 3), (NanoBananaPro, 2)];
            foreach (var (model, attempts) in chain)
            {
                for (var attempt = 0; attempt < attempts; attempt++)
                {
                    var answer = await SendAsync(model, deadline).ConfigureAwait(false);
                    if (answer == Answer.Image)
                    {
                        return new(true, model);
                    }

                    if (answer == Answer.Overloaded)
                    {
                        await Task.Delay(Backoff(attempt, random), context.Clock, deadline).ConfigureAwait(false);
                        continue;
                    }

                    if (answer is Answer.RateLimited or Answer.TimedOut)
                    {
                        break; // the next model
                    }

                    return CallResult.Failed; // raise e, or the image-less response returned as it is
                }
            }

            return CallResult.Failed;
        }

        /// <summary>Per call, not shared: the jitter of one call does not depend on the order the others ran in.</summary>
        private Random CallRandom(int index) => new(unchecked((context.Seed * 1_000_003) + index));

        private Task<Answer> SendAsync(string model, CancellationToken deadline) => ArticleStrategies.SendAsync(context, model, deadline);
    }

    /// <summary>One request as the article's code makes it, with the client's 120 s timeout, classified as its code reads it.</summary>
    public static async Task<Answer> SendAsync(StrategyContext context, string model, CancellationToken deadline)
    {
        using var attemptTimeout = new CancellationTokenSource(RequestTimeout, context.Clock);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(deadline, attemptTimeout.Token);
        var body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"a nano banana in a tiny spacesuit\"}],\"modalities\":[\"image\",\"text\"]}";
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await context.Http.PostAsync(Endpoint, content, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return Classify(response.StatusCode, text);
        }
        catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
        {
            return Answer.TimedOut;
        }
    }

    /// <summary>What the article's <c>str(e)</c> tests make of an answer: "503" or "high demand", "429", else any other error.</summary>
    internal static Answer Classify(HttpStatusCode status, string body) => status switch
    {
        HttpStatusCode.OK => HasImage(body) ? Answer.Image : Answer.NoImage,
        HttpStatusCode.ServiceUnavailable => Answer.Overloaded,
        HttpStatusCode.TooManyRequests => Answer.RateLimited,
        _ when body.Contains("high demand", StringComparison.Ordinal) => Answer.Overloaded,
        _ => Answer.OtherError,
    };

    private static bool HasImage(string body)
        => body.Contains(";base64,", StringComparison.Ordinal) || body.Contains("\"b64_json\"", StringComparison.Ordinal)
            || body.Contains("inlineData", StringComparison.Ordinal) || body.Contains("inline_data", StringComparison.Ordinal);
}
