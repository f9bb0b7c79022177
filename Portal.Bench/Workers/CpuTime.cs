using System.Diagnostics;

namespace Portal.Bench.Workers;

/// <summary>
/// CPU time of a side's processes over its measures, per token produced: unlike the rate, it hardly
/// moves with the load of other processes on the machine, so it shows what the worker path costs.
/// </summary>
internal sealed class CpuTime(Process[] processes)
{
    private TimeSpan total;
    private TimeSpan startedAt;
    private long tokens;

    public double MillisecondsPerToken => tokens == 0 ? double.NaN : total.TotalMilliseconds / tokens;

    public void Start() => startedAt = Now();

    public void Stop(int produced)
    {
        total += Now() - startedAt;
        tokens += produced;
    }

    private TimeSpan Now()
    {
        var sum = TimeSpan.Zero;
        foreach (var process in processes)
        {
            process.Refresh();
            sum += process.TotalProcessorTime;
        }

        return sum;
    }
}
