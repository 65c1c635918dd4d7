using NanoBanana.Cli.Tests.TestSupport;

namespace NanoBanana.Cli.Tests;

/// <summary><c>nanobanana generate</c> in-process, against gateways on 127.0.0.1.</summary>
public sealed class GenerateCommandTests
{
    private const string ApiKey = "sk-test-0123456789-secret";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateJson_RefusedWithTheKeyEchoed_TheKeyIsInNeitherStdoutNorStderr()
    {
        await using var gateway = new EchoingGateway((_, authorization) =>
            (401, $$$"""{"error":{"message":"Incorrect API key provided: {{{authorization}}}","type":"invalid_request_error","code":"invalid_api_key"}}"""));
        await gateway.StartAsync(Token);
        var variables = new Dictionary<string, string?>
        {
            ["NanoBanana__BaseAddress"] = gateway.BaseAddress.ToString(),
            ["NanoBanana__ApiKey"] = ApiKey,
        };
        var previous = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit;
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            exit = await GenerateCommand.RunAsync(["a cat", "--json"], stdout, stderr, Token);
        }
        finally
        {
            foreach (var (name, value) in previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        Assert.Equal(ExitCodes.Unauthorized, exit);
        Assert.Equal("Bearer " + ApiKey, Assert.Single(gateway.Requests).Authorization);
        Assert.Contains("\"error\":\"Unauthorized\"", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("[redacted]", stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, stderr.ToString(), StringComparison.Ordinal);
    }
}
