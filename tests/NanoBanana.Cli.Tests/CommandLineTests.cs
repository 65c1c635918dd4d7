using NanoBanana.Cli.Tests.TestSupport;

namespace NanoBanana.Cli.Tests;

/// <summary>Parsing: help on every command, the version, and usage errors as exit 2 (one JSON object with --json).</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("generate")]
    [InlineData("demo")]
    [InlineData("simulate")]
    [InlineData("batch")]
    [InlineData("serve")]
    public async Task Help_EveryCommand_ExitsZeroWithItsUsage(string command)
    {
        var run = await Tool.RunAsync(command, "--help");

        Assert.Equal(0, run.Exit);
        Assert.Contains($"nanobanana {command}", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Unknown option", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var run = await Tool.RunAsync("--version");

        Assert.Equal(0, run.Exit);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Out);
    }

    [Fact]
    public async Task UnknownOption_WithJson_ExitsTwoWithOneJsonFailure()
    {
        var run = await Tool.RunAsync("generate", "a cat", "--colour", "red", "--json");

        Assert.Equal(2, run.Exit);
        Assert.False(run.Json.GetProperty("ok").GetBoolean());
        Assert.Equal("Usage", run.Json.GetProperty("error").GetString());
        Assert.Contains("--colour", run.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("serve")]
    [InlineData("simulate")]
    public async Task Seed_NotANumber_SaysAWholeNumberIsWanted(string command)
    {
        var run = await Tool.RunAsync(command, "--seed", "abc");

        Assert.Equal(2, run.Exit);
        Assert.Contains("--seed 'abc' is not a whole number, such as 7.", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("-2147483648", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_BlankPrompt_SaysSoWithoutTheRuntimesParameterNote()
    {
        var run = await Tool.RunAsync(["generate", "   "], Tool.Settings(new Uri("http://127.0.0.1:9/v1/")));

        Assert.Equal(2, run.Exit);
        Assert.Contains("The prompt is empty", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void CliOutput_ArgumentException_DropsTheParameterNote()
        => Assert.Equal("Model must not be white space.", CliOutput.Plain(new ArgumentException("Model must not be white space.", "request")));
}
