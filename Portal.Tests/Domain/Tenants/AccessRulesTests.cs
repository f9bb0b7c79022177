using Portal.Domain.Tenants;

namespace Portal.Tests.Domain.Tenants;

public sealed class AccessRulesTests
{
    private static readonly Tenant ActiveTenant = new() { Name = "Contoso", Slug = "contoso" };

    [Fact]
    public void Member_CanChat_ButNotAdministerReportOrAudit()
    {
        var (user, membership) = Person(TenantRoles.Member);

        Assert.True(AccessRules.CanChat(user, membership));
        Assert.False(AccessRules.CanAdministerTenant(user, membership));
        Assert.False(AccessRules.CanSeeReports(user, membership));
        Assert.False(AccessRules.CanReadAudit(user, membership));
        Assert.False(AccessRules.CanAdministerPlatform(user));
    }

    [Theory]
    [InlineData(TenantRoles.Manager, false, false, true, false)]
    [InlineData(TenantRoles.TenantAdmin, false, true, false, false)]
    [InlineData(TenantRoles.Auditor, false, false, false, true)]
    [InlineData(TenantRoles.Member | TenantRoles.Manager | TenantRoles.TenantAdmin | TenantRoles.Auditor, true, true, true, true)]
    public void EachRole_OpensItsOwnArea(TenantRoles roles, bool chat, bool administer, bool reports, bool audit)
    {
        var (user, membership) = Person(roles);

        Assert.Equal(chat, AccessRules.CanChat(user, membership));
        Assert.Equal(administer, AccessRules.CanAdministerTenant(user, membership));
        Assert.Equal(reports, AccessRules.CanSeeReports(user, membership));
        Assert.Equal(audit, AccessRules.CanReadAudit(user, membership));
    }

    [Fact]
    public void DisabledMembership_OpensNothing()
    {
        var (user, membership) = Person(TenantRoles.Member | TenantRoles.TenantAdmin | TenantRoles.Manager | TenantRoles.Auditor);
        membership.IsDisabled = true;

        Assert.False(AccessRules.CanChat(user, membership));
        Assert.False(AccessRules.CanAdministerTenant(user, membership));
        Assert.False(AccessRules.CanSeeReports(user, membership));
        Assert.False(AccessRules.CanReadAudit(user, membership));
    }

    [Fact]
    public void DisabledUser_OpensNothing_EvenAsPlatformAdmin()
    {
        var (user, membership) = Person(TenantRoles.Member | TenantRoles.TenantAdmin);
        user.IsPlatformAdmin = true;
        user.IsDisabled = true;

        Assert.False(AccessRules.CanChat(user, membership));
        Assert.False(AccessRules.CanAdministerTenant(user, membership));
        Assert.False(AccessRules.CanAdministerPlatform(user));
    }

    [Fact]
    public void SuspendedTenant_OpensNothingToItsMembers()
    {
        var (user, membership) = Person(TenantRoles.Member | TenantRoles.TenantAdmin | TenantRoles.Manager | TenantRoles.Auditor);
        membership.Tenant = new Tenant { Name = "Suspended", Slug = "suspended", IsSuspended = true };

        Assert.False(AccessRules.CanChat(user, membership));
        Assert.False(AccessRules.CanAdministerTenant(user, membership));
        Assert.False(AccessRules.CanSeeReports(user, membership));
        Assert.False(AccessRules.CanReadAudit(user, membership));
    }

    [Fact]
    public void AnotherUsersMembership_OpensNothing()
    {
        var (_, othersMembership) = Person(TenantRoles.Member | TenantRoles.TenantAdmin | TenantRoles.Manager | TenantRoles.Auditor);
        var intruder = new User { DisplayName = "Mallory" };

        Assert.False(AccessRules.CanChat(intruder, othersMembership));
        Assert.False(AccessRules.CanAdministerTenant(intruder, othersMembership));
        Assert.False(AccessRules.CanSeeReports(intruder, othersMembership));
        Assert.False(AccessRules.CanReadAudit(intruder, othersMembership));
    }

    [Fact]
    public void NoMembership_OpensNothing_ButPlatformAdminMayAdministerAnyTenant()
    {
        var user = new User { DisplayName = "Root", IsPlatformAdmin = true };

        Assert.False(AccessRules.CanChat(user, null));
        Assert.False(AccessRules.CanSeeReports(user, null));
        Assert.False(AccessRules.CanReadAudit(user, null));
        Assert.True(AccessRules.CanAdministerTenant(user, null));
        Assert.True(AccessRules.CanAdministerPlatform(user));
        Assert.False(AccessRules.CanAdministerTenant(new User { DisplayName = "Plain" }, null));
    }

    private static (User User, Membership Membership) Person(TenantRoles roles)
    {
        var user = new User { DisplayName = "Ada" };
        var membership = new Membership { UserId = user.Id, TenantId = ActiveTenant.Id, Tenant = ActiveTenant, Roles = roles };
        return (user, membership);
    }
}
