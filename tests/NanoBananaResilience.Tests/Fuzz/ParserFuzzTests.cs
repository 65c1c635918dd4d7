using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using FsCheck;
using FsCheck.Fluent;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests.Fuzz;

/// <summary>
/// Property tests of the response reader and the classifier with FsCheck: the recorded gateway bodies, mutated
/// (bytes flipped, cut, spliced, duplicated, garbage inserted) and crossed with each other, plus raw noise, under
/// every status. Whatever arrives, the reader ends with a parsed body or the library's own too-large signal, the
/// classifier names one of the outcome classes, hints stay within their bound, and reading allocates within a
/// fixed multiple of the input — the cap holds. Each property runs a few hundred cases: a few seconds in all.
/// </summary>
public sealed class ParserFuzzTests
{
    private const long Cap = 64 * 1024;
    private const int Cases = 400;

    private static readonly byte[][] Fixtures = [.. Directory.GetFiles(WireFixtures.Folder)
        .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".sse", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal))
        .Where(f => !f.EndsWith("index.json", StringComparison.Ordinal))
        .Select(File.ReadAllBytes)];

    private static readonly int[] Statuses = [200, 201, 204, 301, 400, 401, 402, 403, 404, 408, 422, 429, 500, 502, 503, 504, 524, 529];

    private static readonly Config Run = Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true);

    /// <summary>A fixture with up to six mutations applied.</summary>
    private static Gen<byte[]> Mutated =>
        from fixture in Gen.Elements(Fixtures)
        from other in Gen.Elements(Fixtures)
        from count in Gen.Choose(1, 6)
        from seeds in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), count)
        select Mutate(fixture, other, seeds);

    private static Gen<byte[]> Noise => ArbMap.Default.GeneratorFor<byte[]>();

    private static Gen<(byte[] Body, int Status, bool EventStream)> Input =>
        from body in Gen.Frequency((4, Mutated), (1, Noise))
        from status in Gen.Elements(Statuses)
        from eventStream in Gen.Elements(false, false, true)
        select (body, status, eventStream);

    [Fact]
    public void ReadAndClassify_MutatedAndRandomBodies_OnlyTypedOutcomesWithinTheCap()
    {
        Prop.ForAll(Input.ToArbitrary(), input =>
        {
            var (body, status, eventStream) = input;
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(eventStream ? "text/event-stream" : "application/json");
            var isSuccess = status is >= 200 and < 300;

            // ByteArrayContent completes every read synchronously, so the whole read runs on this thread and the
            // thread's allocation counter sees all of it. A body without a length (here every event stream) decodes
            // into pooled 1 MiB segments: make sure the pool holds one, so a cold or trimmed pool is not counted.
            ArrayPool<byte>.Shared.Return(ArrayPool<byte>.Shared.Rent(1 << 20));
            var before = GC.GetAllocatedBytesForCurrentThread();
            ParsedBody parsed;
            try
            {
                var read = BodyReader.ReadAsync(content, isSuccess, Cap, CancellationToken.None);
                Assert.True(read.IsCompleted, "a read over in-memory content must not wait on anything");
                parsed = read.GetAwaiter().GetResult();
            }
            catch (ResponseTooLargeException)
            {
                return; // the library's own signal, turned into AttemptOutcome.ResponseTooLarge by the sender
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < (16 * body.Length) + (256 * 1024), $"{allocated:N0} bytes allocated reading {body.Length:N0}");
            Assert.True(parsed.Images.Sum(i => (long)i.Data.Length) <= Cap);

            var classification = OutcomeClassifier.Classify(status, parsed, null, TimeSpan.FromMinutes(1));
            Assert.True(Enum.IsDefined(classification.Outcome));
            Assert.NotNull(classification.Detail);
            Assert.True(classification.Outcome != AttemptOutcome.Success || (isSuccess && parsed.Images.Count > 0));
            Assert.True(classification.Hint is null || (classification.Hint.Value.Delay >= TimeSpan.Zero && classification.Hint.Value.Delay <= TimeSpan.FromDays(2)));
        }).Check(Run);
    }

    [Fact]
    public void RetryHints_AnyHeaderOrDurationText_AbsentOrWithinZeroToTwoDays()
    {
        var text = Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>(),
            Gen.Elements("15s", "0.5s", "1e9s", "-3s", "NaN", "Infinity", "1e308", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "0", "3600", "14400"),
            ArbMap.Default.GeneratorFor<double>().Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        Prop.ForAll(text.ToArbitrary(), value =>
        {
            var bound = TimeSpan.FromDays(2);
            if (BodyInterpreter.ParseDuration(value) is { } duration)
            {
                Assert.InRange(duration, TimeSpan.Zero, bound);
            }

            using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            response.Headers.TryAddWithoutValidation("Retry-After", value);
            response.Headers.TryAddWithoutValidation("retry-after-ms", value);
            if (RetryHint.FromHeaders(response.Headers, Harness.OffPeak) is { } hint)
            {
                Assert.InRange(hint.Delay, TimeSpan.Zero, bound);
            }
        }).Check(Run);
    }

    private static byte[] Mutate(byte[] fixture, byte[] other, int[] seeds)
    {
        var bytes = new List<byte>(fixture);
        foreach (var seed in seeds)
        {
            var random = new Random(seed);
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: // flip a byte
                    if (bytes.Count > 0)
                    {
                        bytes[at] = (byte)random.Next(256);
                    }

                    break;
                case 1: // cut the rest
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2: // delete a run
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 64), bytes.Count - at));
                    break;
                case 3: // insert garbage
                    var garbage = new byte[random.Next(1, 32)];
                    random.NextBytes(garbage);
                    bytes.InsertRange(at, garbage);
                    break;
                case 4: // duplicate a run (repeated keys, nested structure)
                    var length = Math.Min(random.Next(1, 256), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 5: // splice in the tail of another recorded body
                    var from = other.Length == 0 ? 0 : random.Next(other.Length);
                    bytes.RemoveRange(at, bytes.Count - at);
                    bytes.AddRange(other.AsSpan(from).ToArray());
                    break;
                default: // JSON-significant characters where they do not belong
                    bytes.Insert(at, "{}[]\",:\\"u8[random.Next(8)]);
                    break;
            }
        }

        return [.. bytes];
    }
}
