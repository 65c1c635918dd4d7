namespace NanoBananaResilience.Tests.TestSupport;

internal static class ModelHealthExtensions
{
    /// <summary>
    /// The admission decision of a health with no fleet, or with the tests' recording fleet: both answer at once, so
    /// the decision is complete when asked and the tests can read it as a plain value.
    /// </summary>
    public static Admission Admit(this ModelHealth health, DateTimeOffset now)
    {
        var admission = health.AdmitAsync(now, TestContext.Current.CancellationToken).AsTask();
        Assert.True(admission.IsCompleted, "the admission waited on something: these tests expect it to decide at once");
        return admission.Result;
    }
}
