using Portal.Data;

namespace Portal.Tests.Data.Tenancy;

public sealed class TenantContextTests
{
    [Fact]
    public void New_HasNoTenantAndIsNotPlatformScope()
    {
        var context = new TenantContext();

        Assert.Null(context.TenantId);
        Assert.False(context.IsPlatformScope);
    }

    [Fact]
    public void SetTenant_EmptyId_RejectedWithReason()
    {
        var context = new TenantContext();

        var error = Assert.Throws<ArgumentException>(() => context.SetTenant(Guid.Empty));

        Assert.StartsWith("The empty id is not a tenant.", error.Message, StringComparison.Ordinal);
        Assert.Null(context.TenantId);
    }

    [Fact]
    public void PlatformScope_Nested_EndsWhenTheOuterOneIsDisposed_AndDisposingTwiceCountsOnce()
    {
        var context = new TenantContext();
        context.SetTenant(Guid.NewGuid());

        var outer = context.BeginPlatformScope();
        var inner = context.BeginPlatformScope();
        inner.Dispose();
        inner.Dispose();
        Assert.True(context.IsPlatformScope);

        outer.Dispose();
        Assert.False(context.IsPlatformScope);
    }
}
