using Microsoft.Extensions.Logging.Abstractions;
using Portal.Inference.Native;

namespace Portal.Tests.Inference.Native;

/// <summary>The real llama.cpp libraries the build copied next to the tests, and the repository root.</summary>
internal static class NativeTestLibrary
{
    /// <summary>
    /// native/llama next to the tests, or the folder in PORTAL_LLAMA_FOLDER (e.g. native/llama-cuda after
    /// `npm run cuda`, or a source build with CUDA) so the GPU tests can run; one folder per process.
    /// </summary>
    public static string Folder { get; } =
        Environment.GetEnvironmentVariable("PORTAL_LLAMA_FOLDER") is { Length: > 0 } folder
            ? folder
            : Path.Combine(AppContext.BaseDirectory, "native", "llama");

    /// <summary>Starts llama.cpp from <see cref="Folder"/> (once per process).</summary>
    public static IReadOnlyList<ComputeDevice> Initialize() => LlamaBackend.Initialize(Folder, NullLoggerFactory.Instance);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Portal.sln above {AppContext.BaseDirectory}.");
    }
}
