using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Web.Accounting;

namespace Portal.Bench.Accounting;

/// <summary>
/// Checks the bulk rollups against the product: a sample tenant's records go through the product's own
/// UsageAccounting (one by one, shuffled, as generations arrive), and its rollup rows must equal what the
/// bench's RollupBuilder makes of the same records.
/// </summary>
internal static class RollupCheck
{
    public static async Task RunAsync(IHost host, BenchWorld sample, DateOnly firstDay)
    {
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await AccountingBench.WriteWorldAsync(scope.ServiceProvider, sample);
        }

        var records = new UsageGenerator(sample, firstDay, days: 7, seed: 4).Records(150).ToList();
        var usage = host.Services.GetRequiredService<UsageAccounting>();
        var clock = Stopwatch.StartNew();
        foreach (var record in records.OrderBy(r => r.Id.GetHashCode()))
        {
            await usage.RecordAsync(record, CancellationToken.None);
        }

        var productTime = clock.Elapsed;
        var bulk = new RollupBuilder();
        records.ForEach(bulk.Add);

        await using var check = host.Services.CreateAsyncScope();
        check.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(sample.Tenants[0].Id);
        var db = check.ServiceProvider.GetRequiredService<PortalDbContext>();
        var productDaily = (await db.UsageDailyRollups.AsNoTracking().ToListAsync())
            .Select(r => (r.TenantId, r.Day, r.UserId, r.ModelEntryId, r.WorkspaceKey, r.Node, r.Requests, r.Completed, r.Stopped, r.Failed, r.RefusedByPolicy, r.RefusedByQuota, r.PromptTokens, r.CompletionTokens, r.BusyTicks))
            .Order().ToList();
        var bulkDaily = bulk.Daily()
            .Select(r => (r.TenantId, r.Day, r.UserId, r.ModelEntryId, r.WorkspaceKey, r.Node, r.Requests, r.Completed, r.Stopped, r.Failed, r.RefusedByPolicy, r.RefusedByQuota, r.PromptTokens, r.CompletionTokens, r.BusyTicks))
            .Order().ToList();
        var productSpeeds = (await db.UsageSpeedRollups.AsNoTracking().ToListAsync()).Select(r => (r.TenantId, r.Day, r.ModelEntryId, r.Measure, r.Bucket, r.Answers)).Order().ToList();
        var bulkSpeeds = bulk.Speeds().Select(r => (r.TenantId, r.Day, r.ModelEntryId, r.Measure, r.Bucket, r.Answers)).Order().ToList();
        var productTotals = (await db.UsageDailyTotals.AsNoTracking().ToListAsync())
            .Select(r => (r.TenantId, r.Day, r.ModelEntryId, r.WorkspaceKey, r.Node, r.Requests, r.Completed, r.Stopped, r.Failed, r.RefusedByPolicy, r.RefusedByQuota, r.PromptTokens, r.CompletionTokens, r.BusyTicks))
            .Order().ToList();
        var bulkTotals = bulk.Totals()
            .Select(r => (r.TenantId, r.Day, r.ModelEntryId, r.WorkspaceKey, r.Node, r.Requests, r.Completed, r.Stopped, r.Failed, r.RefusedByPolicy, r.RefusedByQuota, r.PromptTokens, r.CompletionTokens, r.BusyTicks))
            .Order().ToList();
        var productMonthly = (await db.UsageMonthlyPersonRollups.AsNoTracking().ToListAsync())
            .Select(r => (r.TenantId, r.Month, r.UserId, r.Node, r.Requests, r.Completed, r.Stopped, r.Failed, r.RefusedByPolicy, r.RefusedByQuota, r.PromptTokens, r.CompletionTokens, r.BusyTicks))
            .Order().ToList();
        var bulkMonthly = bulk.MonthlyPersons()
            .Select(r => (r.TenantId, r.Month, r.UserId, r.Node, r.Requests, r.Completed, r.Stopped, r.Failed, r.RefusedByPolicy, r.RefusedByQuota, r.PromptTokens, r.CompletionTokens, r.BusyTicks))
            .Order().ToList();
        var productMonthlySpeeds = (await db.UsageMonthlySpeedRollups.AsNoTracking().ToListAsync()).Select(r => (r.TenantId, r.Month, r.ModelEntryId, r.Measure, r.Bucket, r.Answers)).Order().ToList();
        var bulkMonthlySpeeds = bulk.MonthlySpeeds().Select(r => (r.TenantId, r.Month, r.ModelEntryId, r.Measure, r.Bucket, r.Answers)).Order().ToList();
        var same = productDaily.SequenceEqual(bulkDaily) && productSpeeds.SequenceEqual(bulkSpeeds) && productTotals.SequenceEqual(bulkTotals)
            && productMonthly.SequenceEqual(bulkMonthly) && productMonthlySpeeds.SequenceEqual(bulkMonthlySpeeds);
        Console.WriteLine($"rollup check: {records.Count} sample records through the product's UsageAccounting ({records.Count / productTime.TotalSeconds:F0} records/s one by one) "
            + $"-> {productDaily.Count} daily rows, {productSpeeds.Count} speed buckets, {productTotals.Count} daily totals, {productMonthly.Count} monthly person rows, "
            + $"{productMonthlySpeeds.Count} monthly speed buckets; the bulk builder's rows are {(same ? "IDENTICAL" : "DIFFERENT")}");
        if (!same)
        {
            Environment.ExitCode = 1;
        }
    }
}
