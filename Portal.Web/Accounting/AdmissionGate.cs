namespace Portal.Web.Accounting;

/// <summary>
/// Fair admission in front of the engine: per model, at most as many generations run as the model has
/// slots, and when one ends the next is chosen round-robin across tenants, then across the people
/// of that tenant, so one tenant's flood never starves another (first-come-first-served would).
/// Singleton; the engine's own queue then never fills.
/// </summary>
public sealed class AdmissionGate
{
    private readonly Lock sync = new();
    private readonly Dictionary<Guid, Pool> pools = [];

    /// <summary>Waits until a slot of <paramref name="poolKey"/> (a loaded model) is free for the caller; dispose the lease to give it back.</summary>
    public async Task<IDisposable> EnterAsync(Guid poolKey, int slots, Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slots);
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (sync)
        {
            if (!pools.TryGetValue(poolKey, out var pool))
            {
                pools[poolKey] = pool = new Pool();
            }

            pool.Slots = slots;
            if (pool.Running < pool.Slots && pool.Waiting == 0)
            {
                pool.Running++;
                pool.Served(tenantId, userId);
                return new Lease(this, poolKey);
            }

            waiter = new Waiter(tenantId, userId);
            pool.Enqueue(waiter);
        }

        await using (cancellationToken.Register(() => Abandon(poolKey, waiter)))
        {
            await waiter.Admitted.Task;
        }

        return new Lease(this, poolKey);
    }

    /// <summary>Requests waiting for a slot of <paramref name="poolKey"/>.</summary>
    public int Waiting(Guid poolKey)
    {
        lock (sync)
        {
            return pools.TryGetValue(poolKey, out var pool) ? pool.Waiting : 0;
        }
    }

    /// <summary>Every pool's slots, running and waiting generations now (the operations gauges read it).</summary>
    public IReadOnlyList<AdmissionPoolState> Snapshot()
    {
        lock (sync)
        {
            return [.. pools.Select(p => new AdmissionPoolState(p.Key, p.Value.Slots, p.Value.Running, p.Value.Waiting))];
        }
    }

    private void Abandon(Guid poolKey, Waiter waiter)
    {
        lock (sync)
        {
            if (!pools[poolKey].Remove(waiter))
            {
                return; // already admitted: the lease is returned and disposed by the caller
            }
        }

        waiter.Admitted.TrySetCanceled();
    }

    private void Leave(Guid poolKey)
    {
        var admitted = new List<Waiter>();
        lock (sync)
        {
            var pool = pools[poolKey];
            pool.Running--;
            while (pool.Running < pool.Slots && pool.Next() is { } next)
            {
                pool.Running++;
                admitted.Add(next);
            }
        }

        foreach (var waiter in admitted)
        {
            waiter.Admitted.TrySetResult();
        }
    }

    private sealed class Lease(AdmissionGate gate, Guid poolKey) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                gate.Leave(poolKey);
            }
        }
    }

    private sealed class Waiter(Guid tenantId, Guid userId)
    {
        public Guid TenantId { get; } = tenantId;

        public Guid UserId { get; } = userId;

        public TaskCompletionSource Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One model's slots and waiters. Each round-robin remembers whom it served last and moves on to the next in line.</summary>
    private sealed class Pool
    {
        private readonly RoundRobin<Guid, RoundRobin<Guid, Queue<Waiter>>> tenants = new();

        public int Slots { get; set; }

        public int Running { get; set; }

        public int Waiting { get; private set; }

        public void Enqueue(Waiter waiter)
        {
            tenants.GetOrAdd(waiter.TenantId).GetOrAdd(waiter.UserId).Enqueue(waiter);
            Waiting++;
        }

        public void Served(Guid tenantId, Guid userId)
        {
            tenants.GetOrAdd(tenantId).MarkServed(userId);
            tenants.MarkServed(tenantId);
        }

        public Waiter? Next()
        {
            var tenant = tenants.NextAfterLast(people => people.Any(queue => queue.Count > 0));
            var person = tenant?.NextAfterLast(queue => queue.Count > 0);
            if (person is null)
            {
                return null;
            }

            Waiting--;
            return person.Dequeue();
        }

        public bool Remove(Waiter waiter)
        {
            var queue = tenants.GetOrAdd(waiter.TenantId).GetOrAdd(waiter.UserId);
            var kept = queue.Where(w => w != waiter).ToList();
            if (kept.Count == queue.Count)
            {
                return false;
            }

            queue.Clear();
            kept.ForEach(queue.Enqueue);
            Waiting--;
            return true;
        }
    }
}

/// <summary>Keys in the order first seen, with a cursor on the one served last.</summary>
internal sealed class RoundRobin<TKey, TValue> : IEnumerable<TValue>
    where TKey : notnull
    where TValue : class, new()
{
    private readonly List<TKey> order = [];
    private readonly Dictionary<TKey, TValue> values = [];
    private int last = -1;

    public TValue GetOrAdd(TKey key)
    {
        if (!values.TryGetValue(key, out var value))
        {
            values[key] = value = new TValue();
            order.Add(key);
        }

        return value;
    }

    public void MarkServed(TKey key)
    {
        GetOrAdd(key);
        last = order.IndexOf(key);
    }

    /// <summary>The first entry after the last served (wrapping round) that <paramref name="ready"/> accepts; it becomes the last served.</summary>
    public TValue? NextAfterLast(Func<TValue, bool> ready)
    {
        for (var step = 1; step <= order.Count; step++)
        {
            var index = (last + step) % order.Count;
            var value = values[order[index]];
            if (ready(value))
            {
                last = index;
                return value;
            }
        }

        return default;
    }

    public IEnumerator<TValue> GetEnumerator() => order.Select(k => values[k]).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
