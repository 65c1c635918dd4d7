using Microsoft.Extensions.Time.Testing;

namespace NanoBanana.Cli.Tests;

/// <summary>The progress lines: durations a person reads, and a live line that never sits on top of an event.</summary>
public sealed class NarratorTests
{
    [Theory]
    [InlineData("00:00:33.9935492", "34 s")]
    [InlineData("00:00:00.250", "250 ms")]
    [InlineData("00:02:05", "2 min 5 s")]
    [InlineData("1.02:30:00", "26 h 30 min")]
    public void Human_Durations_ReadAsPeopleSayThem(string span, string shown)
        => Assert.Equal(shown, Narrator.Human(TimeSpan.Parse(span, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Render_AWaitInTheTemplate_ShowsSecondsNotTicks()
    {
        var text = Narrator.Render(
        [
            new("Wait", TimeSpan.Parse("00:00:33.9935492", System.Globalization.CultureInfo.InvariantCulture)),
            new("{OriginalFormat}", "Every model is resting; waiting up to {Wait} for one to reopen or for a probe slot"),
        ]);

        Assert.Equal("Every model is resting; waiting up to 34 s for one to reopen or for a probe slot", text);
    }

    [Fact]
    public void LiveLine_TicksDuringAWaitAndIsClearedBeforeTheNextEvent()
    {
        var time = new FakeTimeProvider();
        using var output = new StringWriter();
        using var narrator = new Narrator(output, live: true, time: time);

        time.Advance(TimeSpan.FromSeconds(3));
        var during = output.ToString();
        narrator.Say("next event");

        Assert.Contains("\r  … 3 s since the last step", during, StringComparison.Ordinal);
        Assert.EndsWith("\r" + new string(' ', 40) + "\rnext event" + Environment.NewLine, output.ToString(), StringComparison.Ordinal);
    }
}
