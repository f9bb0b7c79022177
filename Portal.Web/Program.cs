using Portal.Data;
using Portal.Web.Accounting;
using Portal.Web.Admin;
using Portal.Web.Api;
using Portal.Web.Audit;
using Portal.Web.Chat;
using Portal.Web.Endpoints;
using Portal.Web.Hosting;
using Portal.Web.Identity;
using Portal.Web.Models;
using Portal.Web.Nodes;
using Portal.Web.Operations;
using Portal.Web.Policies;
using Portal.Web.Security;
using Portal.Web.Shell;

var builder = WebApplication.CreateBuilder(VerifyAuditCommand.WithoutSwitch(MigrateCommand.WithoutSwitch(args)));

builder.AddPortalData();
builder.AddPortalSecurity();
builder.AddPortalAuthentication();
builder.AddPortalShell();
builder.AddModelHosting();
builder.AddPortalModels();
builder.AddPortalChat();
builder.AddPortalEndpoints();
builder.AddPortalAccounting();
builder.AddPortalAdmin();
builder.AddPortalPolicies();
builder.AddPortalAudit();
builder.AddPortalOperations();
builder.AddPortalApi();

var app = builder.Build();

// `--migrate` applies pending migrations and exits; a normal start never migrates.
if (MigrateCommand.IsRequested(args))
{
    await MigrateCommand.RunAsync(app);
    return;
}

// `--verify-audit` walks every audit chain, prints what it found and exits 0 (intact) or 1 (broken).
if (VerifyAuditCommand.IsRequested(args))
{
    Environment.ExitCode = await VerifyAuditCommand.RunAsync(app.Services, Console.Out, app.Lifetime.ApplicationStopping);
    return;
}

app.UsePortalSecurity();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UsePortalAuthentication();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapPortalAccount();
app.MapPortalModels();
app.MapPortalShell();
app.MapPortalChat();
app.MapInferenceNodes();
app.MapPortalAudit();
app.MapPortalReports();
app.MapPortalOperations();
app.MapPortalApi();

await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
