using Portal.Web.Accounting;

namespace Portal.Tests.Web.Quotas;

public sealed class AdmissionGateTests
{
    private static readonly Guid Model = Guid.NewGuid();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OneTenantsFiftyQueued_AnotherTenantsSingleRequest_IsAdmittedNext()
    {
        var gate = new AdmissionGate();
        Guid flooder = Guid.NewGuid(), flooderPerson = Guid.NewGuid(), other = Guid.NewGuid(), otherPerson = Guid.NewGuid();
        var running = await gate.EnterAsync(Model, 1, flooder, flooderPerson, Ct);
        var flood = Enumerable.Range(0, 50).Select(_ => gate.EnterAsync(Model, 1, flooder, flooderPerson, Ct)).ToList();
        var single = gate.EnterAsync(Model, 1, other, otherPerson, Ct);
        Assert.Equal(51, gate.Waiting(Model));

        running.Dispose();

        var admitted = await single.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.All(flood, waiting => Assert.False(waiting.IsCompleted));
        admitted.Dispose();
        (await flood[0].WaitAsync(TimeSpan.FromSeconds(10), Ct)).Dispose(); // then the flood goes on, in its own order
        Assert.False(flood[2].IsCompleted);
    }

    [Fact]
    public async Task WithinATenant_PeopleTakeTurns()
    {
        var gate = new AdmissionGate();
        Guid tenant = Guid.NewGuid(), busy = Guid.NewGuid(), quiet = Guid.NewGuid();
        var running = await gate.EnterAsync(Model, 1, tenant, busy, Ct);
        var busyQueue = Enumerable.Range(0, 10).Select(_ => gate.EnterAsync(Model, 1, tenant, busy, Ct)).ToList();
        var quietOne = gate.EnterAsync(Model, 1, tenant, quiet, Ct);

        running.Dispose();

        var quietTurn = await quietOne.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.All(busyQueue, waiting => Assert.False(waiting.IsCompleted));
        quietTurn.Dispose();
        (await busyQueue[0].WaitAsync(TimeSpan.FromSeconds(10), Ct)).Dispose();
    }

    [Fact]
    public async Task NeverMoreRunningThanSlots()
    {
        var gate = new AdmissionGate();
        var running = 0;
        var most = 0;
        var tenants = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(
            async () =>
            {
                using var lease = await gate.EnterAsync(Model, 3, tenants[i % 4], Guid.NewGuid(), Ct);
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                await Task.Yield();
                Interlocked.Decrement(ref running);
            },
            Ct)));

        Assert.InRange(most, 1, 3);
        Assert.Equal(0, gate.Waiting(Model));
    }

    [Fact]
    public async Task AWaiterThatGivesUp_LeavesTheQueue_AndTheNextIsAdmitted()
    {
        var gate = new AdmissionGate();
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var running = await gate.EnterAsync(Model, 1, a, a, Ct);
        using var giveUp = new CancellationTokenSource();
        var leaving = gate.EnterAsync(Model, 1, b, b, giveUp.Token);
        var staying = gate.EnterAsync(Model, 1, a, a, Ct);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal(1, gate.Waiting(Model));

        running.Dispose();
        (await staying.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Dispose();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
