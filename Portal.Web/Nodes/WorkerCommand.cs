using System.Diagnostics;
using Portal.Inference.Engine;

namespace Portal.Web.Nodes;

/// <summary>How the portal starts its worker: the configured command, else Portal.Worker next to the portal's own files.</summary>
internal static class WorkerCommand
{
    public static ProcessStartInfo Create(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new ProcessStartInfo(configured);
        }

        var folder = AppContext.BaseDirectory;
        var dll = Path.Combine(folder, "Portal.Worker.dll");
        if (!File.Exists(dll))
        {
            throw new InferenceException($"The worker (Portal.Worker.dll) is missing from {folder}; build or publish the portal with it, or set Portal:Workers:WorkerCommand.");
        }

        var apphost = Path.Combine(folder, OperatingSystem.IsWindows() ? "Portal.Worker.exe" : "Portal.Worker");
        if (File.Exists(apphost) && File.Exists(Path.Combine(folder, "Portal.Worker.runtimeconfig.json")))
        {
            return new ProcessStartInfo(apphost);
        }

        // No apphost or runtime config of its own (a test host's folder): run the dll on this process's runtime settings.
        var start = new ProcessStartInfo(DotnetHost());
        start.ArgumentList.Add("exec");
        if (RuntimeConfig() is { } runtimeConfig)
        {
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(runtimeConfig);
        }

        start.ArgumentList.Add(dll);
        return start;
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        var candidate = root is null ? null : Path.Combine(root, "dotnet");
        return candidate is not null && File.Exists(candidate) ? candidate : "dotnet";
    }

    private static string? RuntimeConfig()
    {
        var configs = Directory.GetFiles(AppContext.BaseDirectory, "*.runtimeconfig.json");
        var own = Path.Combine(AppContext.BaseDirectory, "Portal.Worker.runtimeconfig.json");
        return File.Exists(own) ? own : configs.FirstOrDefault(c => c.EndsWith("Portal.Web.runtimeconfig.json", StringComparison.Ordinal)) ?? configs.FirstOrDefault();
    }
}
