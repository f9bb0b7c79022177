using System.Linq.Expressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Data.Conventions;
using Portal.Domain;
using Portal.Domain.Audit;
using Portal.Domain.Chat;
using Portal.Domain.Models;
using Portal.Domain.Policies;
using Portal.Domain.Quotas;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;

namespace Portal.Data;

/// <summary>
/// The portal's one database: domain entities and the ASP.NET Core Identity tables side by side.
/// Every <see cref="ITenantOwned"/> entity is filtered to <see cref="ITenantContext.TenantId"/> at
/// query time and checked against it on save.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options, ITenantContext tenantContext)
    : IdentityDbContext<LocalAccount, IdentityRole<Guid>, Guid>(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    /// <summary>The domain's people (table "Users"); Identity's <c>Users</c> are the local credentials.</summary>
    public DbSet<User> PortalUsers => Set<User>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<ExternalTenantMapping> ExternalTenantMappings => Set<ExternalTenantMapping>();

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<Conversation> Conversations => Set<Conversation>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<ModelEntry> ModelEntries => Set<ModelEntry>();

    public DbSet<ModelGrant> ModelGrants => Set<ModelGrant>();

    public DbSet<TenantPolicy> TenantPolicies => Set<TenantPolicy>();

    public DbSet<Quota> Quotas => Set<Quota>();

    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();

    public DbSet<CostSettings> CostSettings => Set<CostSettings>();

    public DbSet<CloudPrice> CloudPrices => Set<CloudPrice>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    /// <summary>The tenant the query filters use. Read by EF Core on every query, not when the model is built.</summary>
    internal Guid? CurrentTenantId => tenantContext.TenantId;

    /// <summary>True while platform-level code runs inside <see cref="ITenantContext.BeginPlatformScope"/>.</summary>
    internal bool IsPlatformScope => tenantContext.IsPlatformScope;

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        TenantWriteGuard.Check(ChangeTracker, tenantContext);
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        TenantWriteGuard.Check(ChangeTracker, tenantContext);
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);

        // Ticks (bigint) on every provider: SQL Server's "time" stops at 24 h and SQLite's text
        // cannot be summed; a long can be summed and compared everywhere.
        configurationBuilder.Properties<TimeSpan>().HaveConversion<TimeSpanToTicksConverter>();

        // SQL Server keeps datetimeoffset natively; see the converters for the other two.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        }
        else if (Database.IsNpgsql())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
        }

        configurationBuilder.Properties<decimal>().HavePrecision(18, 6);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);

        foreach (var entityType in builder.Model.GetEntityTypes())
        {
            if (typeof(ITenantOwned).IsAssignableFrom(entityType.ClrType))
            {
                builder.Entity(entityType.ClrType).HasQueryFilter(TenantFilter(entityType.ClrType));
            }
        }
    }

    /// <summary>
    /// <c>e => IsPlatformScope || (CurrentTenantId != null &amp;&amp; e.TenantId == CurrentTenantId)</c>.
    /// The filter refers to this context's properties, which EF Core turns into query parameters, so
    /// one compiled model serves every tenant.
    /// </summary>
    private LambdaExpression TenantFilter(Type entityClrType)
    {
        var entity = Expression.Parameter(entityClrType, "e");
        var context = Expression.Constant(this);
        var currentTenant = Expression.Property(context, nameof(CurrentTenantId));
        var entityTenant = Expression.Call(
            typeof(EF), nameof(EF.Property), [typeof(Guid)], entity, Expression.Constant(nameof(ITenantOwned.TenantId)));

        var sameTenant = Expression.AndAlso(
            Expression.NotEqual(currentTenant, Expression.Constant(null, typeof(Guid?))),
            Expression.Equal(Expression.Convert(entityTenant, typeof(Guid?)), currentTenant));
        var body = Expression.OrElse(Expression.Property(context, nameof(IsPlatformScope)), sameTenant);
        return Expression.Lambda(body, entity);
    }
}
