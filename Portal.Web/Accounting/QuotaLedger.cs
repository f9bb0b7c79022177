using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Quotas;

namespace Portal.Web.Accounting;

/// <summary>
/// Quotas held in the database, so every portal instance shares them. A reservation raises each of
/// the tenant's and the person's counters (tokens today and this month, requests this minute,
/// generations running) with one conditional UPDATE each ("... WHERE Value + n &lt;= limit"), all in
/// one transaction: the database serialises competing updates of a row, so two instances can never
/// both take the last tokens. Settlement corrects the reservation to what was used; an abandoned
/// reservation expires and is released by <see cref="ReleaseExpiredAsync"/>.
/// </summary>
public sealed class QuotaLedger(IServiceScopeFactory scopes, TimeProvider time, IOptions<QuotaOptions> options)
{
    /// <summary>Reads of the remaining tokens retried when another request took them meanwhile.</summary>
    private const int Attempts = 5;

    /// <summary>
    /// Reserves <paramref name="promptTokens"/> plus up to <paramref name="maxOutputTokens"/> (clamped to
    /// what every token limit has left) and a running-generation place, or throws
    /// <see cref="QuotaExceededException"/> naming the limit and when it resets.
    /// </summary>
    public async Task<QuotaTicket> ReserveAsync(Guid tenantId, Guid userId, int promptTokens, int maxOutputTokens, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxOutputTokens);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var clock = await ClockAsync(db, cancellationToken);
        var limits = await LimitsAsync(db, userId, clock, cancellationToken);
        await EnsureCountersAsync(scope.ServiceProvider, tenantId, limits, cancellationToken);

        QuotaLimit? refusedBy = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var used = await UsedAsync(db, userId, cancellationToken);
            var output = (long)maxOutputTokens;
            foreach (var limit in limits.Where(l => l.Max is not null))
            {
                var left = limit.Max!.Value - used.GetValueOrDefault((limit.UserKey, limit.Window));
                var room = limit.IsTokens ? left - promptTokens : left - 1;
                if (room < (limit.IsTokens ? 1 : 0))
                {
                    throw Refusal(limit, clock);
                }

                output = limit.IsTokens ? Math.Min(output, room) : output;
            }

            var ticket = new QuotaTicket(Guid.NewGuid(), tenantId, userId, promptTokens, (int)output, clock.DayWindow, clock.MonthWindow);
            refusedBy = await TryChargeAsync(db, ticket, limits, clock, cancellationToken);
            if (refusedBy is null)
            {
                return ticket;
            }
        }

        throw Refusal(refusedBy!, clock);
    }

    /// <summary>
    /// Replaces the reservation with <paramref name="usedTokens"/> and frees its running place, inside the
    /// caller's transaction on <paramref name="db"/> (which also writes the usage record). If the
    /// reservation had already expired and been released, the tokens are charged without it.
    /// </summary>
    public async Task SettleAsync(PortalDbContext db, QuotaTicket ticket, long usedTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(ticket);
        var held = await db.QuotaHolds.Where(h => h.Id == ticket.HoldId).ExecuteDeleteAsync(cancellationToken) == 1;
        var tokens = held ? usedTokens - ticket.ReservedTokens : usedTokens;
        await ChangeTokensAsync(db, null, ticket.UserId, ticket.DayWindow, ticket.MonthWindow, tokens, cancellationToken);
        if (held)
        {
            await AddAsync(db, null, [Guid.Empty, ticket.UserId], RunningWindow, -1, cancellationToken);
        }
    }

    /// <summary>
    /// Trues <paramref name="ticket"/> up to the <paramref name="usedTokens"/> its passes so far produced, then reserves
    /// one more pass (a self-check's review or revision): <paramref name="promptTokens"/> plus up to
    /// <paramref name="maxOutputTokens"/>, clamped to what every token limit has left. All in one transaction; if a
    /// limit cannot hold the pass, nothing changes and <see cref="QuotaExceededException"/> says which.
    /// Returns the grown ticket and the output the pass may write.
    /// </summary>
    public async Task<(QuotaTicket Ticket, int MaxOutputTokens)> ExtendAsync(QuotaTicket ticket, long usedTokens, int promptTokens, int maxOutputTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentOutOfRangeException.ThrowIfNegative(usedTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxOutputTokens);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(ticket.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var clock = await ClockAsync(db, cancellationToken);
        var limits = (await LimitsAsync(db, ticket.UserId, clock, cancellationToken)).Where(l => l.IsTokens).ToList();

        QuotaLimit? refusedBy = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var used = await UsedAsync(db, ticket.UserId, cancellationToken);
            var output = (long)maxOutputTokens;
            var freed = ticket.ReservedTokens - usedTokens;
            foreach (var limit in limits.Where(l => l.Max is not null))
            {
                // The ticket's windows are the ones its tokens count in, even if a day or month began since.
                var window = limit.Kind == QuotaKind.TokensPerDay ? ticket.DayWindow : ticket.MonthWindow;
                var room = limit.Max!.Value - used.GetValueOrDefault((limit.UserKey, window)) + freed - promptTokens;
                if (room < 1)
                {
                    throw Refusal(limit, clock);
                }

                output = Math.Min(output, room);
            }

            var extended = ticket with { PromptTokens = (int)usedTokens + promptTokens, MaxOutputTokens = (int)output };
            refusedBy = await TryExtendAsync(db, ticket, extended, limits, clock.Now.AddMinutes(options.Value.HoldLifetimeMinutes), cancellationToken);
            if (refusedBy is null)
            {
                return (extended, (int)output);
            }
        }

        throw Refusal(refusedBy!, clock);
    }

    /// <summary>Gives a reservation back whole (the generation never ran), in a transaction of its own.</summary>
    public async Task ReleaseAsync(QuotaTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(ticket.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SettleAsync(db, ticket, 0, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Releases every reservation past its expiry (its generation never settled) and sweeps finished windows; returns how many were released.</summary>
    public async Task<int> ReleaseExpiredAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tenantContext = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var now = time.GetUtcNow();
        using var platform = tenantContext.BeginPlatformScope();
        var expired = await db.QuotaHolds.AsNoTracking().Where(h => h.ExpiresAt < now).ToListAsync(cancellationToken);
        var released = 0;
        foreach (var hold in expired)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            // Whoever deletes the hold (this sweep, another instance's, or a late settlement) releases it, once.
            if (await db.QuotaHolds.Where(h => h.Id == hold.Id).ExecuteDeleteAsync(cancellationToken) == 1)
            {
                await ChangeTokensAsync(db, hold.TenantId, hold.UserId, hold.DayWindow, hold.MonthWindow, -hold.Tokens, cancellationToken);
                await AddAsync(db, hold.TenantId, [Guid.Empty, hold.UserId], RunningWindow, -1, cancellationToken);
                released++;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        // A finished window's counter is history: reports read usage records, not counters.
        var sweepBefore = now.AddDays(-1);
        await db.QuotaCounters.Where(c => c.EndsAt != null && c.EndsAt < sweepBefore).ExecuteDeleteAsync(cancellationToken);
        return released;
    }

    /// <summary>The caller's limits with what is used of each now (the chat's meter, the admin page).</summary>
    public async Task<IReadOnlyList<QuotaUse>> StandingAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var clock = await ClockAsync(db, cancellationToken);
        var limits = await LimitsAsync(db, userId, clock, cancellationToken);
        var used = await UsedAsync(db, userId, cancellationToken);
        return [.. limits.Select(l => new QuotaUse(l, used.GetValueOrDefault((l.UserKey, l.Window)), ResetsAt(l, clock)))];
    }

    /// <summary>The tenant's clock: now, in the time zone of its quota settings.</summary>
    public static async Task<QuotaClock> ClockAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var zoneId = await db.Quotas.Where(q => q.UserId == null).Select(q => q.TimeZoneId).FirstOrDefaultAsync(cancellationToken);
        return new QuotaClock(QuotaClock.ZoneOf(zoneId), now);
    }

    private const string RunningWindow = "C";

    private Task<QuotaClock> ClockAsync(PortalDbContext db, CancellationToken cancellationToken) => ClockAsync(db, time.GetUtcNow(), cancellationToken);

    private static async Task<List<QuotaLimit>> LimitsAsync(PortalDbContext db, Guid userId, QuotaClock clock, CancellationToken cancellationToken)
    {
        var quotas = await db.Quotas.AsNoTracking().Where(q => q.UserId == null || q.UserId == userId).ToListAsync(cancellationToken);
        var tenant = quotas.FirstOrDefault(q => q.UserId is null);
        var person = quotas.FirstOrDefault(q => q.UserId == userId);

        // Always the same order (tenant before person, then by window), so two transactions never wait on each other in a cycle.
        return [.. Of(Guid.Empty, tenant), .. Of(userId, person)];

        IEnumerable<QuotaLimit> Of(Guid key, Quota? quota) =>
        [
            new(QuotaKind.TokensPerDay, key, clock.DayWindow, quota?.TokensPerDay, clock.DayEnds),
            new(QuotaKind.TokensPerMonth, key, clock.MonthWindow, quota?.TokensPerMonth, clock.MonthEnds),
            new(QuotaKind.RequestsPerMinute, key, clock.MinuteWindow, quota?.RequestsPerMinute, clock.MinuteEnds),
            new(QuotaKind.ConcurrentGenerations, key, RunningWindow, quota?.ConcurrentGenerations, null),
        ];
    }

    private static async Task<Dictionary<(Guid, string), long>> UsedAsync(PortalDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var rows = await db.QuotaCounters.AsNoTracking()
            .Where(c => c.UserKey == Guid.Empty || c.UserKey == userId)
            .Select(c => new { c.UserKey, c.Window, c.Value })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => (r.UserKey, r.Window), r => r.Value);
    }

    /// <summary>Creates the counters this request will meet, each in its own short save (a competing instance may create it first).</summary>
    private static async Task EnsureCountersAsync(IServiceProvider services, Guid tenantId, IReadOnlyList<QuotaLimit> limits, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<PortalDbContext>();
        var keys = limits.Select(l => new { l.UserKey, l.Window }).ToList();
        var userKeys = keys.Select(k => k.UserKey).Distinct().ToList();
        var windows = keys.Select(k => k.Window).Distinct().ToList();
        var existing = await db.QuotaCounters.AsNoTracking()
            .Where(c => userKeys.Contains(c.UserKey) && windows.Contains(c.Window))
            .Select(c => new { c.UserKey, c.Window })
            .ToListAsync(cancellationToken);
        foreach (var limit in limits.Where(l => !existing.Contains(new { l.UserKey, l.Window })))
        {
            var counter = new QuotaCounter { TenantId = tenantId, UserKey = limit.UserKey, Window = limit.Window, EndsAt = limit.EndsAt };
            db.QuotaCounters.Add(counter);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another request created it first: the unique index kept one row, which is what we wanted.
            }
            finally
            {
                db.Entry(counter).State = EntityState.Detached;
            }
        }
    }

    /// <summary>Raises every counter and saves the hold in one transaction; returns the limit that refused, or null.</summary>
    private async Task<QuotaLimit?> TryChargeAsync(PortalDbContext db, QuotaTicket ticket, IReadOnlyList<QuotaLimit> limits, QuotaClock clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var limit in limits)
        {
            var amount = limit.IsTokens ? ticket.ReservedTokens : 1;
            var counter = db.QuotaCounters.Where(c => c.UserKey == limit.UserKey && c.Window == limit.Window);
            if (limit.Max is { } max)
            {
                counter = counter.Where(c => c.Value + amount <= max);
            }

            if (await counter.ExecuteUpdateAsync(s => s.SetProperty(c => c.Value, c => c.Value + amount), cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return limit;
            }
        }

        var hold = new QuotaHold
        {
            Id = ticket.HoldId,
            TenantId = ticket.TenantId,
            UserId = ticket.UserId,
            Tokens = ticket.ReservedTokens,
            DayWindow = ticket.DayWindow,
            MonthWindow = ticket.MonthWindow,
            CreatedAt = clock.Now,
            ExpiresAt = clock.Now.AddMinutes(options.Value.HoldLifetimeMinutes),
        };
        db.QuotaHolds.Add(hold);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(hold).State = EntityState.Detached;
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>Moves the hold (its life renewed) and the token counters from <paramref name="held"/> to <paramref name="extended"/> in one transaction; returns the limit that refused, or null.</summary>
    private static async Task<QuotaLimit?> TryExtendAsync(PortalDbContext db, QuotaTicket held, QuotaTicket extended, IReadOnlyList<QuotaLimit> limits, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var amount = extended.ReservedTokens - held.ReservedTokens;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // A hold that expired meanwhile was released already: its settlement charges what was produced, without it.
        if (await db.QuotaHolds.Where(h => h.Id == held.HoldId).ExecuteUpdateAsync(s => s.SetProperty(h => h.Tokens, h => h.Tokens + amount).SetProperty(h => h.ExpiresAt, expiresAt), cancellationToken) == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return null;
        }

        foreach (var limit in limits)
        {
            var window = limit.Kind == QuotaKind.TokensPerDay ? held.DayWindow : held.MonthWindow;
            var counter = db.QuotaCounters.Where(c => c.UserKey == limit.UserKey && c.Window == window);
            if (limit.Max is { } max && amount > 0)
            {
                counter = counter.Where(c => c.Value + amount <= max);
            }

            if (await counter.ExecuteUpdateAsync(s => s.SetProperty(c => c.Value, c => c.Value + amount), cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return limit;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    private static async Task ChangeTokensAsync(PortalDbContext db, Guid? tenantId, Guid userId, string dayWindow, string monthWindow, long tokens, CancellationToken cancellationToken)
    {
        if (tokens != 0)
        {
            await AddAsync(db, tenantId, [Guid.Empty, userId], dayWindow, tokens, cancellationToken);
            await AddAsync(db, tenantId, [Guid.Empty, userId], monthWindow, tokens, cancellationToken);
        }
    }

    /// <summary>Unconditional change of counters (settlement never refuses: the tokens were produced).</summary>
    private static async Task AddAsync(PortalDbContext db, Guid? tenantId, Guid[] userKeys, string window, long amount, CancellationToken cancellationToken)
    {
        foreach (var key in userKeys)
        {
            var counter = db.QuotaCounters.Where(c => c.UserKey == key && c.Window == window);
            if (tenantId is { } tenant)
            {
                counter = counter.Where(c => c.TenantId == tenant);
            }

            await counter.ExecuteUpdateAsync(s => s.SetProperty(c => c.Value, c => c.Value + amount), cancellationToken);
        }
    }

    private static QuotaExceededException Refusal(QuotaLimit limit, QuotaClock clock)
    {
        var resets = ResetsAt(limit, clock);
        var when = resets is { } at
            ? $"it resets at {TimeZoneInfo.ConvertTime(at, clock.Zone):yyyy-MM-dd HH:mm} ({clock.Zone.Id})."
            : "a place frees when one of the running answers ends.";
        return new QuotaExceededException(limit, $"Not sent: {limit.Describe()} is reached; {when}");
    }

    private static DateTimeOffset? ResetsAt(QuotaLimit limit, QuotaClock clock) => limit.EndsAt;
}

/// <summary>One limit and what is used of it now.</summary>
public sealed record QuotaUse(QuotaLimit Limit, long Used, DateTimeOffset? ResetsAt)
{
    public long? Left => Limit.Max is { } max ? Math.Max(0, max - Used) : null;
}
