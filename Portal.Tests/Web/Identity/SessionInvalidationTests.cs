using Microsoft.Extensions.Time.Testing;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Identity;

public sealed class SessionInvalidationTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void ChangedSince_ChangeAfterCookieIssued_True()
    {
        var invalidation = new SessionInvalidation(time);
        var userId = Guid.NewGuid();
        var issued = time.GetUtcNow();
        time.Advance(TimeSpan.FromMinutes(1));

        invalidation.AccessChanged(userId);

        Assert.True(invalidation.ChangedSince(userId, issued));
    }

    [Fact]
    public void ChangedSince_ChangeBeforeCookieIssued_False()
    {
        var invalidation = new SessionInvalidation(time);
        var userId = Guid.NewGuid();
        invalidation.AccessChanged(userId);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.False(invalidation.ChangedSince(userId, time.GetUtcNow()));
    }

    [Fact]
    public void ChangedSince_AnotherPersonChanged_False()
    {
        var invalidation = new SessionInvalidation(time);
        var issued = time.GetUtcNow();
        time.Advance(TimeSpan.FromMinutes(1));

        invalidation.AccessChanged(Guid.NewGuid());

        Assert.False(invalidation.ChangedSince(Guid.NewGuid(), issued));
    }
}
