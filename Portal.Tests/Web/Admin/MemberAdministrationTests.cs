using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Admin;

/// <summary>Tenant and member administration over the real services and database, and its effect on live sessions.</summary>
public sealed class MemberAdministrationTests(AdminPortal portal) : IClassFixture<AdminPortal>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Members_TenantAdminOfA_CannotSeeOrChangeMembersOfB()
    {
        var tenantA = $"A-{Guid.NewGuid():N}";
        var tenantB = $"B-{Guid.NewGuid():N}";
        var adminA = await portal.App.CreateLocalUserAsync($"{Guid.NewGuid():N}@a.test", "Admin-A-Pass-1234!", TenantRoles.Member | TenantRoles.TenantAdmin, tenantA);
        var memberB = await portal.App.CreateLocalUserAsync($"{Guid.NewGuid():N}@b.test", "Member-B-Pass-1234!", TenantRoles.Member, tenantB);
        var (idA, idB) = (await TenantIdAsync(tenantA), await TenantIdAsync(tenantB));
        var membershipB = await portal.App.QueryAsync(db => db.Memberships.SingleAsync(m => m.UserId == memberB.Id, Ct));
        var actor = new AdminActor(adminA.Id, IsPlatformAdmin: false, idA, IsTenantAdmin: true);

        var own = await WithMembersAsync(m => m.ListAsync(actor, idA, Ct));
        var list = await Assert.ThrowsAsync<AdminException>(() => WithMembersAsync(m => m.ListAsync(actor, idB, Ct)));
        var disable = await Assert.ThrowsAsync<AdminException>(() => WithMembersAsync(m => m.SetDisabledAsync(actor, idB, membershipB.Id, true, Ct)));
        var sneak = await Assert.ThrowsAsync<AdminException>(() => WithMembersAsync(m => m.SetRolesAsync(actor, idA, membershipB.Id, TenantRoles.TenantAdmin, Ct)));
        var invite = await Assert.ThrowsAsync<AdminException>(() => WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, idB, "x@b.test", "X", TenantRoles.Member, Ct)));
        var reset = await Assert.ThrowsAsync<AdminException>(() => WithMembersAsync(m => m.ResetPasswordAsync(actor, idB, membershipB.Id, Ct)));
        var resetThroughOwnTenant = await Assert.ThrowsAsync<AdminException>(() => WithMembersAsync(m => m.ResetPasswordAsync(actor, idA, membershipB.Id, Ct)));

        Assert.Contains(own, m => m.UserId == adminA.Id);
        Assert.All([list, disable, sneak, reset, resetThroughOwnTenant], e =>
        {
            Assert.Equal(AdminFailure.NotFound, e.Failure);
            Assert.Equal("That tenant or member does not exist.", e.Message);
        });
        Assert.Equal((AdminFailure.NotFound, "That tenant or invitation does not exist."), (invite.Failure, invite.Message));
        var refusals = await portal.App.QueryAsync(db => db.AuditEvents.Where(a => a.Action == "member.access_refused" && a.ActorUserId == adminA.Id).OrderBy(a => a.Id).Select(a => a.Target).ToListAsync(Ct));
        Assert.Equal([$"tenant:{idB}", $"tenant:{idB}", $"membership:{membershipB.Id}", $"tenant:{idB}", $"membership:{membershipB.Id}"], refusals);
        Assert.False(await portal.App.QueryAsync(db => db.Invitations.AnyAsync(i => i.TenantId == idB, Ct)));
        Assert.False(await portal.App.QueryAsync(db => db.PasswordResets.AnyAsync(r => r.UserId == memberB.Id, Ct)));
        var unchanged = await portal.App.QueryAsync(db => db.Memberships.SingleAsync(m => m.Id == membershipB.Id, Ct));
        Assert.False(unchanged.IsDisabled);
        Assert.Equal(TenantRoles.Member, unchanged.Roles);
    }

    [Fact]
    public async Task Tenants_TenantAdmin_CannotTakePlatformActions()
    {
        var (user, _) = await portal.SignedInMemberAsync(TenantRoles.Member | TenantRoles.TenantAdmin);
        var actor = new AdminActor(user.Id, IsPlatformAdmin: false, await TenantIdAsync("Default"), IsTenantAdmin: true);

        var create = await Assert.ThrowsAsync<AdminException>(() => WithAsync<TenantAdministration, Tenant>(t => t.CreateAsync(actor, "Sneaky", Ct)));

        Assert.Equal(AdminFailure.Forbidden, create.Failure);
        Assert.Equal("Only platform administrators may do this.", create.Message);
        Assert.False(await portal.App.QueryAsync(db => db.Tenants.AnyAsync(t => t.Name == "Sneaky", Ct)));
    }

    [Fact]
    public async Task Members_Disabled_NextRequestIsSignedOut()
    {
        var (member, browser) = await portal.SignedInMemberAsync(TenantRoles.Member);
        using (var before = await browser.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var tenantId = await TenantIdAsync("Default");
        var membership = await portal.App.QueryAsync(db => db.Memberships.SingleAsync(m => m.UserId == member.Id, Ct));
        var admin = await PlatformAdminAsync();
        await WithMembersAsync(m => m.SetDisabledAsync(admin, tenantId, membership.Id, true, Ct));

        using var after = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/signin", after.Headers.Location?.PathAndQuery(), StringComparison.Ordinal);
        Assert.True(await portal.App.QueryAsync(db => db.AuditEvents.AnyAsync(a => a.Action == "member.disabled" && a.Target == $"membership:{membership.Id}" && a.Before!.Contains("\"isDisabled\":false"), Ct)));
    }

    [Fact]
    public async Task Tenants_CreateRenameSuspendAndMap_Audited()
    {
        var admin = await PlatformAdminAsync();
        var tenant = await WithAsync<TenantAdministration, Tenant>(t => t.CreateAsync(admin, "Research Lab", Ct));
        await WithAsync<TenantAdministration, Tenant>(t => t.RenameAsync(admin, tenant.Id, "Research", Ct));
        await WithAsync<TenantAdministration, Tenant>(t => t.SetSuspendedAsync(admin, tenant.Id, true, Ct));
        await WithAsync<TenantAdministration, ExternalTenantMapping>(t => t.AddMappingAsync(admin, tenant.Id, "entra-tid-1", "group-7", TenantRoles.Member, Ct));

        var duplicate = await Assert.ThrowsAsync<AdminException>(() =>
            WithAsync<TenantAdministration, ExternalTenantMapping>(t => t.AddMappingAsync(admin, tenant.Id, "entra-tid-1", "group-7", TenantRoles.Member, Ct)));

        Assert.Equal("Group group-7 of directory entra-tid-1 is already mapped.", duplicate.Message);
        var stored = await portal.App.QueryAsync(db => db.Tenants.SingleAsync(t => t.Id == tenant.Id, Ct));
        Assert.Equal(("Research", true), (stored.Name, stored.IsSuspended));
        var actions = await portal.App.QueryAsync(db => db.AuditEvents.Where(a => a.Target == $"tenant:{tenant.Id}").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
        Assert.Equal(["tenant.created", "tenant.renamed", "tenant.suspended", "tenant.mapping_added"], actions);
    }

    [Fact]
    public async Task Members_PreRegisteredByEmail_ClaimedAtFirstSignInFromThatDirectoryOnly()
    {
        var directory = $"dir-{Guid.NewGuid():N}";
        var other = $"other-{Guid.NewGuid():N}";
        var tenant = await portal.App.MapExternalTenantAsync(directory, $"Directory {directory}");
        await portal.App.MapExternalTenantAsync(other, $"Other {other}");
        var email = $"{Guid.NewGuid():N}@example.com";
        var admin = await PlatformAdminAsync();
        var invited = await WithMembersAsync(m => m.PreRegisterExternalAsync(admin, tenant.Id, directory, email.ToUpperInvariant(), "Pat", TenantRoles.Member | TenantRoles.Manager, Ct));

        var elsewhere = await WithAsync<ExternalSignIn, ExternalSignInResult>(s => s.SignInAsync(new ExternalIdentity("Entra", $"https://login.test/{other}/v2.0", other, "oid-elsewhere", "Not Pat", email, EmailVerified: true, [], []), Ct));
        var signedIn = await WithAsync<ExternalSignIn, ExternalSignInResult>(s => s.SignInAsync(new ExternalIdentity("Entra", $"https://login.test/{directory}/v2.0", directory, "oid-pat", "Pat", email, EmailVerified: true, [], []), Ct));

        Assert.NotEqual(invited.UserId, elsewhere.Session!.UserId);
        Assert.Equal(invited.UserId, signedIn.Session!.UserId);
        Assert.Equal(tenant.Id, signedIn.Session.Tenant!.Id);
        Assert.Equal(TenantRoles.Member | TenantRoles.Manager, signedIn.Session.Tenant.Roles);
        var claimed = await portal.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.Id == invited.UserId, Ct));
        Assert.Equal(("oid-pat", directory), (claimed.ExternalObjectId, claimed.ExternalTenantId));
    }

    private async Task<AdminActor> PlatformAdminAsync()
    {
        var admin = await portal.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail, Ct));
        return new AdminActor(admin.Id, IsPlatformAdmin: true, ActiveTenantId: null, IsTenantAdmin: false);
    }

    private Task<Guid> TenantIdAsync(string name) => portal.App.QueryAsync(db => db.Tenants.Where(t => t.Name == name).Select(t => t.Id).SingleAsync(Ct));

    private Task<T> WithMembersAsync<T>(Func<MemberAdministration, Task<T>> action) => WithAsync(action);

    private async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = portal.App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private Task<T> WithAsync<T>(Func<MemberAdministration, Task<T>> action) => WithAsync<MemberAdministration, T>(action);
}
