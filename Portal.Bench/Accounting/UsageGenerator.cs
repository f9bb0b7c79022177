using Portal.Domain.Usage;

namespace Portal.Bench.Accounting;

/// <summary>The tenants, people, models, workspaces and nodes the generated records name.</summary>
internal sealed record BenchWorld(IReadOnlyList<BenchTenant> Tenants, IReadOnlyList<Guid> Models, IReadOnlyList<string> Nodes)
{
    /// <summary>Each model runs on one node (as a deployment pins it), so a node's profile prices its model's busy time.</summary>
    public string NodeOf(int model) => Nodes[model % Nodes.Count];
}

internal sealed record BenchTenant(Guid Id, double Share, IReadOnlyList<Guid> People, IReadOnlyList<Guid> Workspaces);

/// <summary>
/// A year of usage records in time order, the same for the same seed: tenants of different sizes, a few
/// heavy users per tenant, each person mostly on one model and one workspace, realistic outcomes, token
/// counts and speeds (time to first token log-normal around 350 ms, tokens/s by model).
/// </summary>
internal sealed class UsageGenerator(BenchWorld world, DateOnly firstDay, int days, int seed)
{
    public IEnumerable<UsageRecord> Records(long count)
    {
        var random = new Random(seed);
        var cumulative = world.Tenants.Select(t => t.Share).ToArray();
        for (var i = 1; i < cumulative.Length; i++)
        {
            cumulative[i] += cumulative[i - 1];
        }

        for (var day = 0; day < days; day++)
        {
            var perDay = (count / days) + (day < count % days ? 1 : 0);
            var start = firstDay.AddDays(day).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var seconds = new double[perDay];
            for (var i = 0; i < perDay; i++)
            {
                seconds[i] = random.NextDouble() * 86_400;
            }

            Array.Sort(seconds);
            foreach (var second in seconds)
            {
                var createdAt = new DateTimeOffset(start.AddSeconds(second));
                yield return Record(random, cumulative, createdAt);
            }
        }
    }

    private UsageRecord Record(Random random, double[] cumulative, DateTimeOffset createdAt)
    {
        var pick = random.NextDouble() * cumulative[^1];
        var tenant = world.Tenants[Math.Min(Array.FindIndex(cumulative, c => pick < c) is var t and >= 0 ? t : 0, world.Tenants.Count - 1)];
        var u = random.NextDouble();
        var person = (int)(tenant.People.Count * u * u); // a few heavy users
        var model = random.NextDouble() < 0.7 ? person % world.Models.Count : random.Next(world.Models.Count);
        var workspace = random.NextDouble() < 0.8 ? person % tenant.Workspaces.Count : random.Next(tenant.Workspaces.Count);
        var o = random.NextDouble();
        var outcome = o < 0.85 ? GenerationOutcome.Completed : o < 0.88 ? GenerationOutcome.Length : o < 0.93 ? GenerationOutcome.Stopped
            : o < 0.96 ? GenerationOutcome.Failed : o < 0.98 ? GenerationOutcome.Refused : GenerationOutcome.RefusedByQuota;
        var generated = outcome is GenerationOutcome.Completed or GenerationOutcome.Length or GenerationOutcome.Stopped or GenerationOutcome.Failed;
        var prompt = outcome == GenerationOutcome.RefusedByQuota ? 0 : random.Next(50, 4_000);
        var completion = outcome switch
        {
            GenerationOutcome.Completed => random.Next(20, 1_500),
            GenerationOutcome.Length => 2_048,
            GenerationOutcome.Stopped => random.Next(1, 500),
            _ => 0,
        };
        var firstToken = generated ? Math.Exp(Math.Log(350) + (Normal(random) * 0.6)) : 0;
        var tokensPerSecond = completion > 0 ? Math.Round((20 + (10 * model)) * (0.7 + (0.6 * random.NextDouble())), 3) : 0;
        var busy = generated ? TimeSpan.FromMilliseconds(firstToken + (completion > 0 ? completion / tokensPerSecond * 1000 : 0)) : TimeSpan.Zero;
        return new UsageRecord
        {
            Id = Guid.CreateVersion7(createdAt),
            TenantId = tenant.Id,
            UserId = tenant.People[person],
            ModelEntryId = world.Models[model],
            WorkspaceId = tenant.Workspaces[workspace],
            PromptTokens = prompt,
            CompletionTokens = completion,
            TimeToFirstToken = TimeSpan.FromMilliseconds(Math.Round(firstToken, 3)),
            Duration = busy,
            TokensPerSecond = tokensPerSecond,
            Node = world.NodeOf(model),
            Outcome = outcome,
            CreatedAt = createdAt,
        };
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
