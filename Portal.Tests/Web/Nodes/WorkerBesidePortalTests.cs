using System.Diagnostics;
using System.Text;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// The worker as the portal ships it: beside Portal.Web in the portal's own build output (what `./run.sh`
/// publishes), not in the test folder, which holds every package the tests use and so hid a missing assembly.
/// </summary>
public sealed class WorkerBesidePortalTests
{
    private static readonly TimeSpan StartGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WorkerInThePortalsOutputFolder_Starts()
    {
        var portalFolder = AppContext.BaseDirectory.Replace(
            $"{Path.DirectorySeparatorChar}Portal.Tests{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}Portal.Web{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
        var worker = Path.Combine(portalFolder, "Portal.Worker");
        Assert.True(File.Exists(worker), $"No worker beside the portal at {worker}.");

        // A portal that is not there: the worker starts its host, then keeps trying to connect.
        var start = new ProcessStartInfo(worker)
        {
            ArgumentList = { "--portal", "http://127.0.0.1:9", "--node-key", "not-a-key" },
            WorkingDirectory = portalFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var output = new StringBuilder();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
                if (e.Data?.Contains("Application started", StringComparison.Ordinal) == true)
                {
                    started.TrySetResult();
                }
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var ended = process.WaitForExitAsync(TestContext.Current.CancellationToken);
            var first = await Task.WhenAny(started.Task, ended).WaitAsync(StartGuard, TestContext.Current.CancellationToken);
            lock (output)
            {
                Assert.True(first == started.Task, $"The worker did not start:{Environment.NewLine}{output}");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }
}
