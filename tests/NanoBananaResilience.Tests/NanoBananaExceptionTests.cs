using System.Reflection;

namespace NanoBananaResilience.Tests;

public class NanoBananaExceptionTests
{
    [Fact]
    public void Constructors_EveryPublicOne_TakesAnOutcome()
    {
        // A constructor without an outcome would have to invent one, and with it IsTransient: there is none.
        var constructors = typeof(NanoBananaException).GetConstructors(BindingFlags.Public | BindingFlags.Instance);

        Assert.NotEmpty(constructors);
        Assert.All(constructors, c => Assert.Equal(typeof(AttemptOutcome), c.GetParameters()[0].ParameterType));
    }

    [Theory]
    [InlineData(AttemptOutcome.Overloaded, true)]
    [InlineData(AttemptOutcome.ServerError, true)]
    [InlineData(AttemptOutcome.ContentBlocked, false)]
    [InlineData(AttemptOutcome.Unauthorized, false)]
    [InlineData(AttemptOutcome.BudgetExceeded, false)]
    public void IsTransient_StatedOutcome_FollowsTheOutcome(AttemptOutcome outcome, bool transient)
        => Assert.Equal(transient, new NanoBananaException(outcome, "m").IsTransient);

    [Fact]
    public void Constructor_InnerException_IsKeptWithTheOutcome()
    {
        var inner = new InvalidOperationException("cause");

        var error = new NanoBananaException(AttemptOutcome.ProtocolError, "bad body", innerException: inner);

        Assert.Same(inner, error.InnerException);
        Assert.Equal(AttemptOutcome.ProtocolError, error.Outcome);
        Assert.Empty(error.Attempts);
    }
}
