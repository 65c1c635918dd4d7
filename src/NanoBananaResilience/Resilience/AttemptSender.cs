using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Http.Resilience;

namespace NanoBananaResilience;

/// <summary>
/// One attempt on the wire through one gateway: a fresh request for this attempt's model from the gateway's transport,
/// sent, its body streamed through the reader, the response disposed, the outcome classified. Never retries and never sleeps.
/// </summary>
internal sealed class AttemptSender(GatewayOptions gateway, NanoBananaOptions options, TimeProvider timeProvider)
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private readonly IGatewayTransport _transport = GatewayTransport.For(gateway);
    private readonly GatewayHeaders _headers = new(gateway, options.Headers);

    /// <remarks>Pooled, so an attempt that completes asynchronously does not allocate its state machine anew.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<AttemptResult> SendAsync(HttpClient http, string model, NanoBananaRequest request, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        using var message = _transport.CreateRequest(model, request);
        _headers.AddTo(message);

        // HttpClient applies its version defaults only to the requests it builds itself (GetAsync and friends), not
        // to a message handed to SendAsync; without these lines every request would go out as HTTP/1.1.
        message.Version = http.DefaultRequestVersion;
        message.VersionPolicy = http.DefaultVersionPolicy;
        message.Headers.Accept.Add(AcceptJson); // never changed once built, so one instance serves every request

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNetworkFailure(e, cancellationToken))
        {
            return NetworkFailure(e, null, started);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var hint = RetryHint.FromHeaders(response.Headers, timeProvider.GetUtcNow());
            ParsedBody body;
            try
            {
                body = await BodyReader.ReadAsync(response.Content, response.IsSuccessStatusCode, options.MaxImageBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (ResponseTooLargeException e)
            {
                var tooLarge = new Classification(AttemptOutcome.ResponseTooLarge, null, null, QuotaKind.Unknown, e.Message);
                return new AttemptResult(tooLarge, status, ParsedBody.Empty, timeProvider.GetElapsedTime(started));
            }
            catch (Exception e) when (IsNetworkFailure(e, cancellationToken))
            {
                return NetworkFailure(e, status, started);
            }

            var classification = OutcomeClassifier.Classify(status, body, hint, options.Retry.MaxRetryAfter);
            return new AttemptResult(Scrub(classification, body), status, body, timeProvider.GetElapsedTime(started));
        }
    }

    /// <summary>A connection refused, reset or cut mid-body: a server-side failure worth a retry.</summary>
    /// <remarks>Cancellation is ruled out first, so the predicate's token-less overload is the right one.</remarks>
    private static bool IsNetworkFailure(Exception e, CancellationToken cancellationToken)
#pragma warning disable CA2016
        => !cancellationToken.IsCancellationRequested && e is not OperationCanceledException
            && (HttpClientResiliencePredicates.IsTransient(Polly.Outcome.FromException<HttpResponseMessage>(e)) || e is HttpRequestException or IOException);
#pragma warning restore CA2016

    private AttemptResult NetworkFailure(Exception e, int? status, long started)
    {
        // The exception's message names the host at most, never the request's headers.
        var detail = status is null ? $"connection failed: {e.Message}" : $"the body was cut: {e.Message}";
        var classification = new Classification(AttemptOutcome.ServerError, null, null, QuotaKind.Unknown, Redact(detail));
        return new AttemptResult(classification, status, ParsedBody.Empty, timeProvider.GetElapsedTime(started));
    }

    /// <summary>A server that echoes the key (or a secret header) back must not get it into the trail, the exception or the logs.</summary>
    private Classification Scrub(Classification classification, ParsedBody body)
    {
        body.Excerpt = Redact(body.Excerpt);
        body.Text = Redact(body.Text);
        if (body.Error is { } error)
        {
            error.Message = Redact(error.Message);
        }

        return classification with
        {
            Detail = Redact(classification.Detail),
            ProviderStatus = Redact(classification.ProviderStatus),
        };
    }

    [return: NotNullIfNotNull(nameof(text))]
    private string? Redact(string? text)
    {
        text = Redaction.Redact(text, gateway.ApiKey);
        foreach (var secret in _headers.Secrets)
        {
            text = Redaction.Redact(text, secret);
        }

        return text;
    }
}
