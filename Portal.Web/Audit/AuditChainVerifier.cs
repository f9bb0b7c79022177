using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Audit;

namespace Portal.Web.Audit;

/// <summary>
/// Walks a chain in order of position and reports the first broken link: a row whose content no
/// longer matches its hash or whose successor no longer links to it (changed), a missing position or
/// a cut-off end (deleted), a row without a link, a repeated position or one beyond the chain's
/// recorded head (inserted). Reads in pages, so a chain of millions of rows needs little memory.
/// </summary>
public sealed class AuditChainVerifier
{
    private const int PageSize = 2000;

    /// <summary>Every chain that has a head or a row: the platform's and each tenant's.</summary>
    public static async Task<IReadOnlyList<Guid>> ListChainsAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var withHead = await db.AuditChainHeads.AsNoTracking().Select(h => h.ChainId).ToListAsync(cancellationToken);
        var withRows = await db.AuditEvents.AsNoTracking().Select(e => e.ChainId).Distinct().ToListAsync(cancellationToken);
        return withHead.Union(withRows).Append(AuditChains.Platform).Distinct().Order().ToList();
    }

    public async Task<AuditChainReport> VerifyAsync(PortalDbContext db, Guid chainId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);

        // The head is read before the walk (rows it covers must all be there) and, only when a row
        // lies beyond it, again after: an entry appended meanwhile moves the head past its own row.
        var head = await ReadHeadAsync(db, chainId, cancellationToken);
        var walk = new ChainWalk(chainId, head);
        long after = 0;
        while (walk.FirstBreak is null)
        {
            var page = await db.AuditEvents.AsNoTracking()
                .Where(e => e.ChainId == chainId && e.Sequence != null && e.Sequence > after)
                .OrderBy(e => e.Sequence)
                .Take(PageSize)
                .ToListAsync(cancellationToken);
            foreach (var row in page)
            {
                if (row.Sequence > walk.HeadSequence)
                {
                    walk.HeadMoved(await ReadHeadAsync(db, chainId, cancellationToken));
                }

                if (!walk.Check(row))
                {
                    break;
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Sequence!.Value;
        }

        walk.CheckEnd();
        var (beforeChaining, inserted) = await FindUnlinkedRowsAsync(db, chainId, cancellationToken);
        var firstBreak = walk.FirstBreak ?? (inserted is null
            ? null
            : new AuditChainBreak(AuditBreakKind.Inserted, inserted.Id, null,
                $"Row {inserted.Id} ({inserted.Action}) carries no link: it was written into the table directly, not through the audit log."));
        return new AuditChainReport(chainId, walk.Checked, walk.HeadSequence, walk.HeadHash, firstBreak, beforeChaining);
    }

    private static Task<AuditChainHead?> ReadHeadAsync(PortalDbContext db, Guid chainId, CancellationToken cancellationToken) =>
        db.AuditChainHeads.AsNoTracking().SingleOrDefaultAsync(h => h.ChainId == chainId, cancellationToken);

    /// <summary>
    /// Rows of this chain (by chain or by tenant) without a position. Those older than the log's first
    /// linked row predate chaining and are only counted; a younger one was inserted around the log.
    /// </summary>
    private static async Task<(long BeforeChaining, AuditEvent? Inserted)> FindUnlinkedRowsAsync(
        PortalDbContext db, Guid chainId, CancellationToken cancellationToken)
    {
        Guid? tenantId = chainId == AuditChains.Platform ? null : chainId;
        var unlinked = db.AuditEvents.AsNoTracking()
            .Where(e => e.Sequence == null && (e.ChainId == chainId || e.TenantId == tenantId));
        var firstLinked = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Sequence != null)
            .OrderBy(e => e.Id)
            .Select(e => (long?)e.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (firstLinked is null)
        {
            return (await unlinked.LongCountAsync(cancellationToken), null);
        }

        var before = await unlinked.Where(e => e.Id < firstLinked).LongCountAsync(cancellationToken);
        var inserted = await unlinked.Where(e => e.Id > firstLinked).OrderBy(e => e.Id).FirstOrDefaultAsync(cancellationToken);
        return (before, inserted);
    }

    /// <summary>The state of one walk: the last good row, and the first break once found.</summary>
    private sealed class ChainWalk(Guid chainId, AuditChainHead? head)
    {
        private AuditEvent? _previous;

        public long Checked { get; private set; }

        public long HeadSequence { get; private set; } = head?.Sequence ?? 0;

        public string? HeadHash { get; private set; } = head?.Hash;

        private long InitialHeadSequence { get; } = head?.Sequence ?? 0;

        public AuditChainBreak? FirstBreak { get; private set; }

        public void HeadMoved(AuditChainHead? moved)
        {
            HeadSequence = Math.Max(HeadSequence, moved?.Sequence ?? 0);
            HeadHash = moved?.Hash ?? HeadHash;
        }

        /// <summary>Checks one row against the one before; false (and <see cref="FirstBreak"/> set) at a break.</summary>
        public bool Check(AuditEvent row)
        {
            var sequence = row.Sequence!.Value;
            var expected = (_previous?.Sequence ?? 0) + 1;
            var expectedPrevious = _previous?.Hash ?? "";
            if (sequence > HeadSequence)
            {
                return Break(AuditBreakKind.Inserted, row,
                    $"Row {row.Id} ({row.Action}) sits at position {sequence}, beyond the chain's recorded head at position {HeadSequence}: it was added around the audit log.");
            }

            if (sequence < expected)
            {
                return Break(AuditBreakKind.Inserted, row,
                    $"Row {row.Id} ({row.Action}) repeats position {sequence}, which row {_previous?.Id} already holds.");
            }

            if (sequence > expected)
            {
                var missing = sequence - expected == 1 ? $"position {expected} is" : $"positions {expected} to {sequence - 1} are";
                return Break(AuditBreakKind.Deleted, row,
                    $"Rows were deleted: {missing} missing {Between(row)}.");
            }

            if (row.ChainId != AuditChains.For(row.TenantId) || AuditEventCanonicalForm.ComputeHash(row) != row.Hash)
            {
                return Break(AuditBreakKind.Changed, row,
                    $"Row {row.Id} ({row.Action}, position {sequence}) was changed: its content no longer matches its hash.");
            }

            if (row.PreviousHash != expectedPrevious)
            {
                // The row itself is consistent, so the one before it was rewritten with a fresh hash.
                return _previous is null
                    ? Break(AuditBreakKind.Changed, row, $"Row {row.Id} (position 1) links to a predecessor the chain never had.")
                    : Break(AuditBreakKind.Changed, _previous,
                        $"Row {_previous.Id} ({_previous.Action}, position {_previous.Sequence}) was changed and its hash recomputed: row {row.Id} no longer links to it.");
            }

            _previous = row;
            Checked++;
            return true;
        }

        /// <summary>After the last row: rows cut off the end, or a last row rewritten since the head was recorded.</summary>
        public void CheckEnd()
        {
            if (FirstBreak is not null)
            {
                return;
            }

            var last = _previous?.Sequence ?? 0;
            if (last < InitialHeadSequence)
            {
                var missing = InitialHeadSequence - last == 1
                    ? $"position {InitialHeadSequence} is"
                    : $"positions {last + 1} to {InitialHeadSequence} are";
                FirstBreak = new AuditChainBreak(AuditBreakKind.Deleted, _previous?.Id, last + 1,
                    $"Rows were deleted from the end of the {AuditChains.Describe(chainId)} chain: {missing} missing" +
                    (_previous is null ? "." : $" after row {_previous.Id}."));
            }
            else if (_previous is not null && last == HeadSequence && HeadHash is not null && _previous.Hash != HeadHash)
            {
                FirstBreak = new AuditChainBreak(AuditBreakKind.Changed, _previous.Id, last,
                    $"Row {_previous.Id} ({_previous.Action}, position {last}) was changed and its hash recomputed: it no longer matches the chain's recorded head.");
            }
        }

        private string Between(AuditEvent row) =>
            _previous is null ? $"before row {row.Id}" : $"between row {_previous.Id} and row {row.Id}";

        private bool Break(AuditBreakKind kind, AuditEvent row, string description)
        {
            FirstBreak = new AuditChainBreak(kind, row.Id, row.Sequence, description);
            return false;
        }
    }
}
