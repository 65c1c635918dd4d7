namespace NanoBananaResilience.Tests.Resilience;

public class HourlyChancesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 5, 12, 10, 0, TimeSpan.Zero);

    private static HourlyChances Chances(double chance = 0.5, double weight = 10) => new(_ => (chance, weight));

    [Fact]
    public void Mean_BeforeAnyOutcome_IsThePriorsChanceForThatHour()
    {
        var chances = new HourlyChances(hour => (hour == 12 ? 0.2 : 0.9, 10));

        Assert.Equal(0.2, chances.Mean(Noon), 10);
        Assert.Equal(0.9, chances.Mean(Noon.AddHours(1)), 10);
    }

    [Fact]
    public void Record_AnswersAndFailures_MoveOnlyTheirOwnHour()
    {
        var chances = Chances();

        for (var i = 0; i < 10; i++)
        {
            chances.Record(AttemptOutcome.Success, Noon);
            chances.Record(i < 5 ? AttemptOutcome.NoImage : AttemptOutcome.Overloaded, Noon);
        }

        // Prior 5 answers + 5 failures, then 15 answers and 5 failures: 20 of 30.
        Assert.Equal(20.0 / 30, chances.Mean(Noon), 10);
        Assert.Equal(0.5, chances.Mean(Noon.AddHours(1)), 10);
    }

    [Theory]
    [InlineData(AttemptOutcome.ServerError)]
    [InlineData(AttemptOutcome.Timeout)]
    [InlineData(AttemptOutcome.RateLimited)]
    [InlineData(AttemptOutcome.QuotaExhausted)]
    public void Record_OutcomesThatMeanTheModelDidNotAnswer_CountAsFailures(AttemptOutcome outcome)
    {
        var chances = Chances();

        chances.Record(outcome, Noon);

        Assert.Equal(5.0 / 11, chances.Mean(Noon), 10);
    }

    [Theory]
    [InlineData(AttemptOutcome.BadRequest)]
    [InlineData(AttemptOutcome.ContentBlocked)]
    [InlineData(AttemptOutcome.Unauthorized)]
    [InlineData(null)]
    public void Record_OutcomesThatSayNothingOfAvailability_AreIgnored(AttemptOutcome? outcome)
    {
        var chances = Chances();

        chances.Record(outcome, Noon);

        Assert.Equal(0.5, chances.Mean(Noon), 10);
    }

    [Fact]
    public void Mean_OutcomesAWeekOld_WeighHalfAndThePriorNeverFades()
    {
        var chances = Chances();
        for (var i = 0; i < 20; i++)
        {
            chances.Record(AttemptOutcome.Success, Noon);
        }

        // 5 + 20 answers against 5 failures now; a week later the 20 weigh 10; after a year, the prior is left.
        Assert.Equal(25.0 / 30, chances.Mean(Noon), 10);
        Assert.Equal(15.0 / 20, chances.Mean(Noon + HourlyChances.HalfLife), 10);
        Assert.Equal(0.5, chances.Mean(Noon.AddDays(364)), 3);
    }

    [Fact]
    public void Mean_FailuresAWeekOld_WeighHalfToo()
    {
        var chances = Chances();
        for (var i = 0; i < 20; i++)
        {
            chances.Record(AttemptOutcome.Overloaded, Noon);
        }

        // 5 answers against 5 + 20 failures now; a week later against 5 + 10.
        Assert.Equal(5.0 / 30, chances.Mean(Noon), 10);
        Assert.Equal(5.0 / 20, chances.Mean(Noon + HourlyChances.HalfLife), 10);
    }

    [Fact]
    public void Mean_AskedForAnInstantBeforeTheLastOutcome_CountsTheOutcomesInFull()
    {
        var chances = Chances();
        for (var i = 0; i < 10; i++)
        {
            chances.Record(AttemptOutcome.Success, Noon.AddMinutes(30));
        }

        // An instant earlier in the same hour (a caller's clock a little behind) neither fades nor inflates them.
        Assert.Equal(15.0 / 20, chances.Mean(Noon), 10);
        Assert.Equal(15.0 / 20, chances.Mean(Noon.AddMinutes(30)), 10);
    }

    [Fact]
    public void Record_TheHourIsTheUtcHour()
    {
        var chances = Chances();

        chances.Record(AttemptOutcome.Success, Noon.ToOffset(TimeSpan.FromHours(2)));

        Assert.Equal(6.0 / 11, chances.Mean(Noon), 10);
    }

    [Fact]
    public void Draw_ManyTimes_AveragesTheBeliefsMean()
    {
        var chances = Chances(0.25, 12);
        var random = new Random(5);

        var mean = Enumerable.Range(0, 20_000).Average(_ => chances.Draw(Noon, random.NextDouble));

        Assert.InRange(mean, 0.24, 0.26);
    }
}
