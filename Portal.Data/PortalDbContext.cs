using System.Linq.Expressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Data.Audit;
using Portal.Data.Conventions;
using Portal.Domain;
using Portal.Domain.Api;
using Portal.Domain.Audit;
using Portal.Domain.Chat;
using Portal.Domain.Models;
using Portal.Domain.Nodes;
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

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<PasswordReset> PasswordResets => Set<PasswordReset>();

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<Conversation> Conversations => Set<Conversation>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<ModelEntry> ModelEntries => Set<ModelEntry>();

    public DbSet<ModelGrant> ModelGrants => Set<ModelGrant>();

    public DbSet<TenantPolicy> TenantPolicies => Set<TenantPolicy>();

    public DbSet<Quota> Quotas => Set<Quota>();

    public DbSet<QuotaCounter> QuotaCounters => Set<QuotaCounter>();

    public DbSet<QuotaHold> QuotaHolds => Set<QuotaHold>();

    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();

    public DbSet<UsageDailyRollup> UsageDailyRollups => Set<UsageDailyRollup>();

    public DbSet<UsageSpeedRollup> UsageSpeedRollups => Set<UsageSpeedRollup>();

    public DbSet<UsageDailyTotal> UsageDailyTotals => Set<UsageDailyTotal>();

    public DbSet<UsageMonthlyPersonRollup> UsageMonthlyPersonRollups => Set<UsageMonthlyPersonRollup>();

    public DbSet<UsageMonthlySpeedRollup> UsageMonthlySpeedRollups => Set<UsageMonthlySpeedRollup>();

    public DbSet<CostSettings> CostSettings => Set<CostSettings>();

    public DbSet<HardwareProfile> HardwareProfiles => Set<HardwareProfile>();

    public DbSet<NodeHardwareProfile> NodeHardwareProfiles => Set<NodeHardwareProfile>();

    public DbSet<CloudPrice> CloudPrices => Set<CloudPrice>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();

    public DbSet<NodeKey> NodeKeys => Set<NodeKey>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    /// <summary>The tenant the query filters use. Read by EF Core on every query, not when the model is built.</summary>
    internal Guid? CurrentTenantId => tenantContext.TenantId;

    /// <summary>True while platform-level code runs inside <see cref="ITenantContext.BeginPlatformScope"/>.</summary>
    internal bool IsPlatformScope => tenantContext.IsPlatformScope;

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        TenantWriteGuard.Check(ChangeTracker, tenantContext);
        if (AuditChainAppender.HasPendingEntries(ChangeTracker))
        {
            throw new InvalidOperationException("Audit entries are chained inside an asynchronous save: call SaveChangesAsync.");
        }

        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        TenantWriteGuard.Check(ChangeTracker, tenantContext);

        // New audit entries are numbered and hashed into their chains within the same transaction.
        return AuditChainAppender.HasPendingEntries(ChangeTracker)
            ? AuditChainAppender.SaveAsync(this, ct => base.SaveChangesAsync(acceptAllChangesOnSuccess, ct), cancellationToken)
            : base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
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
                var entity = builder.Entity(entityType.ClrType);
                entity.HasQueryFilter(TenantFilter(entityType.ClrType));

                // UPDATE and DELETE then say "WHERE Id = @id AND TenantId = @tenant": an entity attached
                // by hand with another tenant's id and our tenant's TenantId changes no row.
                entity.Property(nameof(ITenantOwned.TenantId)).IsConcurrencyToken();
            }
        }
    }

    /// <summary>
    /// <c>e => IsPlatformScope || e.TenantId == CurrentTenantId</c>. EF Core turns the context's
    /// properties into query parameters, so one compiled model serves every tenant. With no tenant
    /// set the comparison is with null, which EF Core makes false: nothing matches.
    /// </summary>
    private LambdaExpression TenantFilter(Type entityClrType)
    {
        var entity = Expression.Parameter(entityClrType, "e");
        var context = Expression.Constant(this);
        var entityTenant = Expression.Call(
            typeof(EF), nameof(EF.Property), [typeof(Guid)], entity, Expression.Constant(nameof(ITenantOwned.TenantId)));

        var body = Expression.OrElse(
            Expression.Property(context, nameof(IsPlatformScope)),
            Expression.Equal(Expression.Convert(entityTenant, typeof(Guid?)), Expression.Property(context, nameof(CurrentTenantId))));
        return Expression.Lambda(body, entity);
    }
}
