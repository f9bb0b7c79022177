using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Tenants;

namespace Portal.Web.Identity;

/// <summary>
/// On the first start of an empty, migrated database: creates the platform administrator (a local
/// account) and a first tenant. A password that is not configured is generated and written to the
/// console this once; only its hash is stored. A database with pending migrations stops the start:
/// migrations run only through <c>--migrate</c>.
/// </summary>
internal sealed partial class BootstrapAdmin(
    IServiceScopeFactory scopes,
    IOptions<BootstrapAdminOptions> options,
    TimeProvider time,
    ILogger<BootstrapAdmin> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PortalDbContext>();
        await EnsureMigratedAsync(db, cancellationToken);

        using var platform = services.GetRequiredService<ITenantContext>().BeginPlatformScope();
        if (await db.PortalUsers.AnyAsync(u => u.IsPlatformAdmin, cancellationToken))
        {
            return;
        }

        var settings = options.Value;
        var generated = string.IsNullOrEmpty(settings.AdminPassword);
        var password = generated ? GeneratePassword() : settings.AdminPassword!;
        var now = time.GetUtcNow();

        var tenant = await db.Tenants.OrderBy(t => t.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (tenant is null)
        {
            tenant = new Tenant { Name = settings.TenantName, Slug = Slug(settings.TenantName), CreatedAt = now };
            db.Tenants.Add(tenant);
        }

        var admin = new User { DisplayName = "Platform administrator", Email = settings.AdminEmail, IsPlatformAdmin = true, CreatedAt = now };
        db.PortalUsers.Add(admin);
        db.Memberships.Add(new Membership
        {
            TenantId = tenant.Id,
            UserId = admin.Id,
            Roles = TenantRoles.Member | TenantRoles.Manager | TenantRoles.TenantAdmin,
            CreatedAt = now,
        });

        // UserManager saves through the same DbContext: person, tenant and credential land in one save.
        var account = new LocalAccount { Id = admin.Id, UserName = settings.AdminEmail, Email = settings.AdminEmail, EmailConfirmed = true };
        var created = await services.GetRequiredService<UserManager<LocalAccount>>().CreateAsync(account, password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(
                "The bootstrap administrator could not be created: " + string.Join(" ", created.Errors.Select(e => e.Description))
                + " Fix Portal:Bootstrap:AdminPassword (or leave it empty to have one generated).");
        }

        LogCreated(settings.AdminEmail, tenant.Name);
        if (generated)
        {
            // Written once, to the console only: the next start finds the administrator and says nothing.
            await Console.Out.WriteLineAsync(
                $"""

                ============================================================
                 Portal platform administrator created (shown only once)
                   e-mail:   {settings.AdminEmail}
                   password: {password}
                ============================================================

                """);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task EnsureMigratedAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"The portal database is not up to date: {pending.Count} migration(s) pending, the first being {pending[0]}. "
                + "Apply them with `dotnet Portal.Web.dll --migrate` (./run.sh does this) and start again.");
        }
    }

    /// <summary>24 characters from every class Identity's rules ask for.</summary>
    private static string GeneratePassword()
    {
        const string lower = "abcdefghijkmnopqrstuvwxyz";
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string digits = "23456789";
        const string symbols = "-_.!#%+=";
        const string all = lower + upper + digits + symbols;
        var chars = new List<char>
        {
            lower[RandomNumberGenerator.GetInt32(lower.Length)],
            upper[RandomNumberGenerator.GetInt32(upper.Length)],
            digits[RandomNumberGenerator.GetInt32(digits.Length)],
            symbols[RandomNumberGenerator.GetInt32(symbols.Length)],
        };
        while (chars.Count < 24)
        {
            chars.Add(all[RandomNumberGenerator.GetInt32(all.Length)]);
        }

        var shuffled = chars.ToArray();
        RandomNumberGenerator.Shuffle(shuffled.AsSpan());
        return new string(shuffled);
    }

    private static string Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "default" : slug;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap platform administrator {Email} created, member of tenant {TenantName}")]
    private partial void LogCreated(string email, string tenantName);
}
