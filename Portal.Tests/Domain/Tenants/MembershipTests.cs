using Portal.Domain.Tenants;

namespace Portal.Tests.Domain.Tenants;

public sealed class MembershipTests
{
    [Theory]
    [InlineData(TenantRoles.Member, TenantRoles.Member, true)]
    [InlineData(TenantRoles.Member, TenantRoles.Manager, false)]
    [InlineData(TenantRoles.Member | TenantRoles.Auditor, TenantRoles.Auditor, true)]
    [InlineData(TenantRoles.TenantAdmin, TenantRoles.Member, false)]
    [InlineData(TenantRoles.Member | TenantRoles.Manager, TenantRoles.Member | TenantRoles.Manager, true)]
    [InlineData(TenantRoles.Member, TenantRoles.Member | TenantRoles.Manager, false)]
    [InlineData(TenantRoles.None, TenantRoles.Member, false)]
    public void Grants_ChecksEveryRequestedRole(TenantRoles held, TenantRoles requested, bool expected)
    {
        var membership = new Membership { Roles = held };

        Assert.Equal(expected, membership.Grants(requested));
    }

    [Fact]
    public void Grants_DisabledMembership_GrantsNothing()
    {
        var membership = new Membership { Roles = TenantRoles.Member | TenantRoles.TenantAdmin, IsDisabled = true };

        Assert.False(membership.Grants(TenantRoles.Member));
        Assert.False(membership.Grants(TenantRoles.TenantAdmin));
    }
}
