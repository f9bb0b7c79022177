using System.Buffers.Binary;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Portal.Domain.Audit;

namespace Portal.Data.Audit;

/// <summary>
/// Links new audit entries into their chains as part of the save that writes them. Inside one
/// transaction (the caller's, or one of its own) it takes a lock per chain, reads the chain's head,
/// numbers and hashes the entries, moves the head, then lets EF Core write everything. Two portal
/// instances appending to one chain at once therefore wait for each other instead of forking it; the
/// unique index on (ChainId, Sequence) stops a fork should a lock ever be missing.
/// Locks: PostgreSQL <c>pg_advisory_xact_lock</c>, SQL Server <c>sp_getapplock</c> (both released at
/// commit), SQLite's single writer (the transaction begins IMMEDIATE, holding the write lock).
/// </summary>
internal static class AuditChainAppender
{
    /// <summary>Mixed into PostgreSQL advisory lock keys so they do not collide with other users of the lock space.</summary>
    private const long LockNamespace = 0x5041_5544_4954_0000; // "PAUDIT"

    public static bool HasPendingEntries(ChangeTracker changeTracker)
    {
        var pending = false;
        foreach (var entry in changeTracker.Entries<AuditEvent>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    pending = true;
                    break;
                case EntityState.Modified or EntityState.Deleted:
                    throw new InvalidOperationException(
                        $"The audit log is append-only: audit entry {entry.Entity.Id} cannot be changed or deleted.");
            }
        }

        return pending;
    }

    /// <summary>Runs <paramref name="save"/> with the pending entries chained, in a transaction that holds the chains' locks.</summary>
    public static async Task<int> SaveAsync(PortalDbContext db, Func<CancellationToken, Task<int>> save, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            // The caller's unit of work: the locks are held until the caller commits.
            await AppendAsync(db, cancellationToken);
            return await save(cancellationToken);
        }

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            (db, save),
            async (_, state, ct) =>
            {
                await using var transaction = await state.db.Database.BeginTransactionAsync(ct);
                await AppendAsync(state.db, ct);
                var written = await state.save(ct);
                await transaction.CommitAsync(ct);
                return written;
            },
            verifySucceeded: null,
            cancellationToken);
    }

    private static async Task AppendAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var chains = db.ChangeTracker.Entries<AuditEvent>()
            .Where(e => e.State == EntityState.Added)
            .Select(e => e.Entity)
            .GroupBy(e => AuditChains.For(e.TenantId))
            .OrderBy(g => g.Key) // one lock order for everyone: two chains never deadlock
            .ToList();

        foreach (var chain in chains)
        {
            await LockAsync(db, chain.Key, cancellationToken);
            var (sequence, previousHash, head) = await ReadHeadAsync(db, chain.Key, cancellationToken);
            foreach (var entry in chain)
            {
                entry.ChainId = chain.Key;
                entry.Sequence = ++sequence;
                entry.OccurredAt = AuditEventCanonicalForm.Truncate(entry.OccurredAt);
                entry.PreviousHash = previousHash;
                entry.Hash = AuditEventCanonicalForm.ComputeHash(entry);
                previousHash = entry.Hash;
            }

            var moved = new AuditChainHead { ChainId = chain.Key, Sequence = sequence, Hash = previousHash };
            if (head is null)
            {
                db.AuditChainHeads.Add(moved);
            }
            else
            {
                db.AuditChainHeads.Update(moved);
            }
        }
    }

    /// <summary>
    /// The chain's head, read fresh from the database inside the lock. Without a head row (the chain's
    /// first entry, or rows from before chaining) it continues after the chain's last numbered row.
    /// </summary>
    private static async Task<(long Sequence, string Hash, AuditChainHead? Head)> ReadHeadAsync(
        PortalDbContext db, Guid chainId, CancellationToken cancellationToken)
    {
        // A head tracked by this context from an earlier save may be stale: another instance may
        // have moved it since. Forget it and read what is committed now.
        foreach (var tracked in db.ChangeTracker.Entries<AuditChainHead>().Where(e => e.Entity.ChainId == chainId).ToList())
        {
            tracked.State = EntityState.Detached;
        }

        var head = await db.AuditChainHeads.AsNoTracking().SingleOrDefaultAsync(h => h.ChainId == chainId, cancellationToken);
        if (head is not null)
        {
            return (head.Sequence, head.Hash, head);
        }

        var last = await db.AuditEvents.AsNoTracking()
            .Where(e => e.ChainId == chainId && e.Sequence != null)
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash })
            .FirstOrDefaultAsync(cancellationToken);
        return (last?.Sequence ?? 0, last?.Hash ?? "", null);
    }

    private static async Task LockAsync(PortalDbContext db, Guid chainId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            var key = LockNamespace ^ BinaryPrimitives.ReadInt64LittleEndian(chainId.ToByteArray());
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", cancellationToken);
        }
        else if (db.Database.IsSqlServer())
        {
            var resource = $"portal-audit-chain:{chainId:D}";
            await db.Database.ExecuteSqlAsync(
                $"""
                DECLARE @granted int;
                EXEC @granted = sp_getapplock @Resource = {resource}, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 30000;
                IF @granted < 0 THROW 51000, 'The audit chain lock was not granted within 30 seconds.', 1;
                """,
                cancellationToken);
        }
        else if (db.Database.IsSqlite())
        {
            // The transaction holds SQLite's one write lock once it has written; a write that
            // changes nothing takes it now, before the head is read, even in a DEFERRED transaction
            // a caller may have opened.
            await db.Database.ExecuteSqlAsync($"UPDATE AuditChainHeads SET Sequence = Sequence WHERE 0", cancellationToken);
        }
    }
}
