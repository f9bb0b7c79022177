using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Identity;

/// <summary>
/// Issue 10, finding 2, against the real services, database and HTTP endpoints: what an inviter learns and
/// can do, the one-time link (once, expiring, only for setting a password), change-password and admin reset.
/// </summary>
public sealed partial class InvitationRegressionTests(InvitationRegressionTests.Fixture fixture) : IClassFixture<InvitationRegressionTests.Fixture>
{
    private const string Chosen = "Chosen-By-Invitee-77!";

    public sealed class Fixture : IAsyncLifetime
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public PortalAppFactory App { get; private set; } = null!;

        public ValueTask InitializeAsync()
        {
            var time = Time;
            App = new PortalAppFactory(testServices: services => services.AddSingleton<TimeProvider>(time));
            App.StartServer();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PortalAppFactory App => fixture.App;

    [Fact]
    public async Task Invite_NewAddress_InviterNeverSeesAPassword()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var email = $"{Guid.NewGuid():N}@new.test";

        var invited = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, tenantId, email, "New Person", TenantRoles.Member, Ct));

        // Nothing that signs in exists yet: no account, and the link's secret is not a password.
        var normalized = email.ToUpperInvariant();
        Assert.False(await App.QueryAsync(db => db.Users.AnyAsync(a => a.NormalizedEmail == normalized, Ct)));
        using var withSecret = await NewBrowser().SignInAsync(email, TokenOf(invited.Link).Split('.')[1]);
        Assert.Contains("error=invalid", withSecret.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var stored = await App.QueryAsync(db => db.Invitations.SingleAsync(i => i.Id == invited.InvitationId, Ct));
        Assert.DoesNotContain(TokenOf(invited.Link).Split('.')[1], Convert.ToBase64String(stored.SecretHash), StringComparison.Ordinal);
        Assert.Equal(32, stored.SecretHash.Length);
    }

    [Fact]
    public async Task Invite_ExistingAccount_NotAddedAndAnswerLikeANewAddress()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var existing = await App.CreateLocalUserAsync($"{Guid.NewGuid():N}@exists.test", "Existing-Pass-1234!", TenantRoles.Member, $"Other-{Guid.NewGuid():N}");
        var newEmail = $"{Guid.NewGuid():N}@new.test";

        var forExisting = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, tenantId, existing.Email!.ToUpperInvariant(), "Someone", TenantRoles.Member, Ct));
        var forNew = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, tenantId, newEmail, "Someone", TenantRoles.Member, Ct));

        // The inviter's answer and list say the same for both, and nobody joined.
        Assert.Equal(Shape(forNew, newEmail), Shape(forExisting, existing.Email!));
        Assert.False(await IsMemberAsync(existing.Id, tenantId));
        var listed = await WithAsync<InvitationAdministration, IReadOnlyList<InvitationView>>(i => i.ListAsync(actor, tenantId, Ct));
        Assert.Equal(["Pending", "Pending"], listed.Select(v => v.State));

        // Whoever holds the links (the inviter too) gets the same pages and answers for both.
        var existingPage = Normalise(await NewBrowser().GetPageAsync(forExisting.Link), existing.Email!);
        var newPage = Normalise(await NewBrowser().GetPageAsync(forNew.Link), newEmail);
        Assert.Equal(newPage, existingPage);
        using var usedForExisting = await SetPasswordAsync(NewBrowser(), forExisting.Link, "Inviter-Guess-1234!");
        using var usedForNew = await SetPasswordAsync(NewBrowser(), forNew.Link, "Inviter-Guess-1234!");
        Assert.Equal("/account/signin?setup=done", usedForExisting.Headers.Location?.OriginalString);
        Assert.Equal(usedForNew.Headers.Location?.OriginalString, usedForExisting.Headers.Location?.OriginalString);
        listed = await WithAsync<InvitationAdministration, IReadOnlyList<InvitationView>>(i => i.ListAsync(actor, tenantId, Ct));
        Assert.Equal("Pending", listed.Single(v => v.Email == existing.Email).State);

        // The existing account is untouched: its own password still signs in, the link's does not, and it is not a member.
        using var inviterGuess = await NewBrowser().SignInAsync(existing.Email!, "Inviter-Guess-1234!");
        Assert.Contains("error=invalid", inviterGuess.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.False(await IsMemberAsync(existing.Id, tenantId));

        // Its owner sees the invitation after signing in and joins only by accepting.
        var owner = NewBrowser();
        using (var signIn = await owner.SignInAsync(existing.Email!, "Existing-Pass-1234!"))
        {
            Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        }

        Assert.Contains("You have a pending invitation to another tenant.", await owner.GetPageAsync("/"), StringComparison.Ordinal);
        var page = await owner.GetPageAsync(PasswordEndpoints.InvitationsPath);
        var tenantName = await App.QueryAsync(db => db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(Ct));
        Assert.Contains(tenantName, page, StringComparison.Ordinal);
        using var accepted = await owner.PostFormAsync(PasswordEndpoints.InvitationsPath, $"{PasswordEndpoints.InvitationsPath}/{forExisting.InvitationId}/accept", []);
        Assert.Equal($"{PasswordEndpoints.InvitationsPath}?accepted=1", accepted.Headers.Location?.OriginalString);
        Assert.True(await IsMemberAsync(existing.Id, tenantId));
        Assert.Contains("You have no pending invitations.", await owner.GetPageAsync(PasswordEndpoints.InvitationsPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvitationAccept_AnotherPersonsInvitation_RefusedAndNothingJoined()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var invitee = $"{Guid.NewGuid():N}@invitee.test";
        await App.CreateLocalUserAsync(invitee, "Invitee-Pass-1234!", TenantRoles.Member, $"Home-{Guid.NewGuid():N}");
        var invited = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, tenantId, invitee, null, TenantRoles.Member, Ct));
        var intruder = await App.CreateLocalUserAsync($"{Guid.NewGuid():N}@intruder.test", "Intruder-Pass-1234!", TenantRoles.Member, $"Home-{Guid.NewGuid():N}");
        var browser = NewBrowser();
        await browser.SignInAsync(intruder.Email!, "Intruder-Pass-1234!");

        using var refused = await browser.PostFormAsync(PasswordEndpoints.ChangePasswordPath, $"{PasswordEndpoints.InvitationsPath}/{invited.InvitationId}/accept", []);

        Assert.Equal($"{PasswordEndpoints.InvitationsPath}?error=gone", refused.Headers.Location?.OriginalString);
        Assert.False(await IsMemberAsync(intruder.Id, tenantId));
        Assert.Contains(PendingInvitations.NotFound, await browser.GetPageAsync($"{PasswordEndpoints.InvitationsPath}?error=gone"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetupLink_NewAddress_InviteeChoosesPasswordOnceThenSignsIn()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var email = $"{Guid.NewGuid():N}@new.test";
        var invited = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, tenantId, email, "Nia New", TenantRoles.Member | TenantRoles.Manager, Ct));
        var invitee = NewBrowser();

        using var weak = await SetPasswordAsync(invitee, invited.Link, "short");
        Assert.Equal($"{invited.Link}&error=rules", weak.Headers.Location?.OriginalString);
        Assert.Contains("That password does not meet the rules below.", await invitee.GetPageAsync(weak.Headers.Location!.OriginalString), StringComparison.Ordinal);
        using var set = await SetPasswordAsync(invitee, invited.Link, Chosen);
        using var again = await SetPasswordAsync(NewBrowser(), invited.Link, "Second-Try-Pass-99!");

        Assert.Equal("/account/signin?setup=done", set.Headers.Location?.OriginalString);
        Assert.Equal(invited.Link, again.Headers.Location?.OriginalString);
        Assert.Contains(PasswordSetup.UsedLink, await NewBrowser().GetPageAsync(invited.Link), StringComparison.Ordinal);
        using var signIn = await invitee.SignInAsync(email, Chosen);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        using var secondPassword = await NewBrowser().SignInAsync(email, "Second-Try-Pass-99!");
        Assert.Contains("error=invalid", secondPassword.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var membership = await App.QueryAsync(db => db.Memberships.IgnoreQueryFilters().Include(m => m.User).SingleAsync(m => m.TenantId == tenantId && m.User!.Email == email, Ct));
        Assert.Equal((TenantRoles.Member | TenantRoles.Manager, "Nia New"), (membership.Roles, membership.User!.DisplayName));
    }

    [Fact]
    public async Task SetupLink_Expired_RefusedWithMessageAndNothingCreated()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var email = $"{Guid.NewGuid():N}@late.test";
        var invited = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, tenantId, email, null, TenantRoles.Member, Ct));
        var invitee = NewBrowser();
        var form = await invitee.AntiforgeryTokenAsync(invited.Link); // opened in time, sent too late

        fixture.Time.Advance(TimeSpan.FromHours(72));
        using var late = await invitee.PostAsync(InvitationOptions.SetupPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = form,
            ["token"] = TokenOf(invited.Link),
            ["password"] = Chosen,
            ["confirmPassword"] = Chosen,
        }));

        Assert.Equal(invited.Link, late.Headers.Location?.OriginalString);
        Assert.Contains(PasswordSetup.ExpiredLink, await invitee.GetPageAsync(invited.Link), StringComparison.Ordinal);
        var normalized = email.ToUpperInvariant();
        Assert.False(await App.QueryAsync(db => db.Users.AnyAsync(a => a.NormalizedEmail == normalized, Ct)));
        var listed = await WithAsync<InvitationAdministration, IReadOnlyList<InvitationView>>(i => i.ListAsync(actor, tenantId, Ct));
        Assert.Equal("Expired", listed.Single().State);

        // Issued again: a new link works, the old one does not.
        var reissued = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.ReissueAsync(actor, tenantId, invited.InvitationId, Ct));
        Assert.Contains(PasswordSetup.InvalidLink, await NewBrowser().GetPageAsync(invited.Link), StringComparison.Ordinal);
        using var set = await SetPasswordAsync(NewBrowser(), reissued.Link, Chosen);
        Assert.Equal("/account/signin?setup=done", set.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SetupLink_TwoUsesAtOnce_OnlyOneSucceeds()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var email = $"{Guid.NewGuid():N}@race.test";
        var invited = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, tenantId, email, null, TenantRoles.Member, Ct));
        var token = TokenOf(invited.Link);

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(n => Task.Run(() =>
            WithAsync<PasswordSetup, SetupResult>(s => s.CompleteAsync(token, $"Racer-{n}-Pass-1234!", $"Racer-{n}-Pass-1234!", null, Ct)))));

        Assert.Single(results, r => r.Succeeded);
        Assert.Single(results, r => r.LinkRefusal == PasswordSetup.UsedLink);
        Assert.Equal(1, await App.QueryAsync(db => db.PortalUsers.CountAsync(u => u.Email == email, Ct)));
    }

    [Fact]
    public async Task Revoke_PendingInvitation_LinkStopsAndInviteeNoLongerSeesIt()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var existing = await App.CreateLocalUserAsync($"{Guid.NewGuid():N}@exists.test", "Existing-Pass-1234!", TenantRoles.Member, $"Other-{Guid.NewGuid():N}");
        var invited = await WithAsync<InvitationAdministration, IssuedInvitation>(i => i.InviteAsync(actor, tenantId, existing.Email!, null, TenantRoles.Member, Ct));

        await WithAsync<InvitationAdministration, bool>(async i =>
        {
            await i.RevokeAsync(actor, tenantId, invited.InvitationId, Ct);
            return true;
        });

        Assert.Contains(PasswordSetup.UsedLink, await NewBrowser().GetPageAsync(invited.Link), StringComparison.Ordinal);
        var owner = NewBrowser();
        await owner.SignInAsync(existing.Email!, "Existing-Pass-1234!");
        Assert.Contains("You have no pending invitations.", await owner.GetPageAsync(PasswordEndpoints.InvitationsPath), StringComparison.Ordinal);
        var listed = await WithAsync<InvitationAdministration, IReadOnlyList<InvitationView>>(i => i.ListAsync(actor, tenantId, Ct));
        Assert.Equal("Withdrawn", listed.Single().State);
    }

    [Fact]
    public async Task ChangePassword_CurrentPasswordRequired_OtherSessionsEnd()
    {
        var email = $"{Guid.NewGuid():N}@change.test";
        var user = await App.CreateLocalUserAsync(email, "Member-Pass-1234!", TenantRoles.Member);
        var browser = NewBrowser();
        var other = NewBrowser();
        using (await browser.SignInAsync(email, "Member-Pass-1234!"))
        using (var otherSignIn = await other.SignInAsync(email, "Member-Pass-1234!"))
        {
            Assert.Equal("/", otherSignIn.Headers.Location?.OriginalString);
        }

        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        using var wrong = await ChangeAsync(browser, "Not-The-Password-1!", "Brand-New-Pass-5678!");
        using var changed = await ChangeAsync(browser, "Member-Pass-1234!", "Brand-New-Pass-5678!");

        Assert.Equal("/account/password?error=current", wrong.Headers.Location?.OriginalString);
        Assert.Equal("/account/password?changed=1", changed.Headers.Location?.OriginalString);
        Assert.Contains("Your password was changed", await browser.GetPageAsync("/account/password?changed=1"), StringComparison.Ordinal);
        using (var otherAfter = await other.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.Redirect, otherAfter.StatusCode);
            Assert.StartsWith("/account/signin", otherAfter.Headers.Location?.PathAndQuery(), StringComparison.Ordinal);
        }

        using var oldPassword = await NewBrowser().SignInAsync(email, "Member-Pass-1234!");
        using var newPassword = await NewBrowser().SignInAsync(email, "Brand-New-Pass-5678!");
        Assert.Contains("error=invalid", oldPassword.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal("/", newPassword.Headers.Location?.OriginalString);
        Assert.True(await App.QueryAsync(db => db.AuditEvents.AnyAsync(a => a.Action == "account.password_changed" && a.ActorUserId == user.Id, Ct)));
    }

    [Fact]
    public async Task AdminReset_IssuesOneTimeLink_OldPasswordAndSessionsEnd()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var tenantName = await App.QueryAsync(db => db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(Ct));
        var email = $"{Guid.NewGuid():N}@reset.test";
        var member = await App.CreateLocalUserAsync(email, "Forgotten-Pass-1234!", TenantRoles.Member, tenantName);
        var membershipId = await App.QueryAsync(db => db.Memberships.IgnoreQueryFilters().Where(m => m.UserId == member.Id).Select(m => m.Id).SingleAsync(Ct));
        var session = NewBrowser();
        await session.SignInAsync(email, "Forgotten-Pass-1234!");

        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        var first = await WithAsync<MemberAdministration, IssuedPasswordReset>(m => m.ResetPasswordAsync(actor, tenantId, membershipId, Ct));
        var second = await WithAsync<MemberAdministration, IssuedPasswordReset>(m => m.ResetPasswordAsync(actor, tenantId, membershipId, Ct));

        using (var ended = await session.GetAsync("/"))
        {
            Assert.StartsWith("/account/signin", ended.Headers.Location?.PathAndQuery(), StringComparison.Ordinal);
        }

        using var oldPassword = await NewBrowser().SignInAsync(email, "Forgotten-Pass-1234!");
        Assert.Contains("error=invalid", oldPassword.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Contains(PasswordSetup.UsedLink, await NewBrowser().GetPageAsync(first.Link), StringComparison.Ordinal);
        Assert.Contains("Set a new password", await NewBrowser().GetPageAsync(second.Link), StringComparison.Ordinal);
        using var set = await SetPasswordAsync(NewBrowser(), second.Link, Chosen);
        Assert.Equal("/account/signin?setup=reset", set.Headers.Location?.OriginalString);
        using var signIn = await NewBrowser().SignInAsync(email, Chosen);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        Assert.Contains(PasswordSetup.UsedLink, await NewBrowser().GetPageAsync(second.Link), StringComparison.Ordinal);
        Assert.Equal(2, await App.QueryAsync(db => db.AuditEvents.CountAsync(a => a.Action == "member.password_reset" && a.Target == $"membership:{membershipId}", Ct)));
    }

    [Fact]
    public async Task AdminReset_PersonAlsoInAnotherTenant_OnlyAPlatformAdminMay()
    {
        var (actor, tenantId) = await TenantAdminAsync();
        var tenantName = await App.QueryAsync(db => db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(Ct));
        var email = $"{Guid.NewGuid():N}@both.test";
        var member = await App.CreateLocalUserAsync(email, "Both-Tenants-Pass-1!", TenantRoles.Member, tenantName);
        await App.AddMembershipAsync(member.Id, $"Elsewhere-{Guid.NewGuid():N}", TenantRoles.Member);
        var membershipId = await App.QueryAsync(db => db.Memberships.IgnoreQueryFilters().Where(m => m.UserId == member.Id && m.TenantId == tenantId).Select(m => m.Id).SingleAsync(Ct));

        var refused = await Assert.ThrowsAsync<AdminException>(() => WithAsync<MemberAdministration, IssuedPasswordReset>(m => m.ResetPasswordAsync(actor, tenantId, membershipId, Ct)));

        Assert.Equal((AdminFailure.Forbidden, "Only a platform administrator can reset this person's password."), (refused.Failure, refused.Message));
        using var stillWorks = await NewBrowser().SignInAsync(email, "Both-Tenants-Pass-1!");
        Assert.Equal("/", stillWorks.Headers.Location?.OriginalString);
        Assert.False(await App.QueryAsync(db => db.PasswordResets.AnyAsync(r => r.UserId == member.Id, Ct)));
    }

    private static Task<HttpResponseMessage> SetPasswordAsync(BrowserLikeClient browser, string link, string password) =>
        browser.PostFormAsync("/account/signin", InvitationOptions.SetupPath, new() // any form's token: the link's page may be a refusal
        {
            ["token"] = TokenOf(link),
            ["password"] = password,
            ["confirmPassword"] = password,
            ["displayName"] = "",
        });

    private static Task<HttpResponseMessage> ChangeAsync(BrowserLikeClient browser, string current, string next) =>
        browser.PostFormAsync(PasswordEndpoints.ChangePasswordPath, PasswordEndpoints.ChangePasswordPath, new()
        {
            ["currentPassword"] = current,
            ["newPassword"] = next,
            ["confirmPassword"] = next,
        });

    private static string TokenOf(string link) => Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);

    /// <summary>What the inviter sees of an answer, with the address and the secret's random part left out.</summary>
    private static string Shape(IssuedInvitation invited, string email) =>
        $"{invited.Email == Invitation.NormalizeEmail(email)}|{SecretPart().Replace(invited.Link, "#")}|{invited.ExpiresAt}";

    /// <summary>A page with the address, the token, the nonce and the antiforgery and other protected values left out.</summary>
    private static string Normalise(string page, string email) =>
        AntiforgeryValue().Replace(SecretPart().Replace(page.Replace(Invitation.NormalizeEmail(email), "#", StringComparison.Ordinal), "#"), "#");

    [GeneratedRegex("[0-9a-f]{32}(\\.|%2E)[A-Za-z0-9_-]+")]
    private static partial Regex SecretPart();

    [GeneratedRegex("(name=\"__RequestVerificationToken\" value|nonce)=\"[^\"]+\"|CfDJ8[A-Za-z0-9+/=_-]+")]
    private static partial Regex AntiforgeryValue();

    private Task<bool> IsMemberAsync(Guid userId, Guid tenantId) =>
        App.QueryAsync(db => db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.TenantId == tenantId && m.UserId == userId, Ct));

    private BrowserLikeClient NewBrowser() => new(App.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    }));

    private async Task<(AdminActor Actor, Guid TenantId)> TenantAdminAsync()
    {
        var tenantName = $"Inviting-{Guid.NewGuid():N}";
        var admin = await App.CreateLocalUserAsync($"{Guid.NewGuid():N}@admin.test", "Admin-Pass-1234!", TenantRoles.Member | TenantRoles.TenantAdmin, tenantName);
        var tenantId = await App.QueryAsync(db => db.Tenants.Where(t => t.Name == tenantName).Select(t => t.Id).SingleAsync(Ct));
        return (new AdminActor(admin.Id, IsPlatformAdmin: false, tenantId, IsTenantAdmin: true), tenantId);
    }

    private async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
