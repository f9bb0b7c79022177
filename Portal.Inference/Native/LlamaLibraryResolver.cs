using System.Reflection;
using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>
/// Resolves the <c>[LibraryImport]</c> names of this assembly ("llama", "ggml", "ggml-base") to files
/// in one folder: the npm packages' versioned names first, then the plain names a source build gives.
/// </summary>
internal static class LlamaLibraryResolver
{
    private static readonly Dictionary<string, string[]> FileNames = new(StringComparer.Ordinal)
    {
        [LlamaNative.LibraryName] = ["libllama.v0.5.0.so", "libllama.cuda.v0.5.0.so", "libllama.so"],
        [GgmlNative.LibraryName] = ["libggml.v0.5.0.so", "libggml.cuda.v0.5.0.so", "libggml.so"],
        [GgmlNative.BaseLibraryName] = ["libggml-base.so"],
    };

    private static readonly Lock Gate = new();
    private static string? folder;

    /// <summary>The folder the libraries are loaded from; fixed for the life of the process once set.</summary>
    public static string? Folder => folder;

    /// <summary>Points the resolver at <paramref name="libraryFolder"/>; the first call registers it.</summary>
    public static void Use(string libraryFolder)
    {
        var full = Path.GetFullPath(libraryFolder);
        lock (Gate)
        {
            if (folder is null)
            {
                folder = full;
                NativeLibrary.SetDllImportResolver(typeof(LlamaLibraryResolver).Assembly, Resolve);
            }
            else if (!string.Equals(folder, full, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"llama.cpp is already loaded from '{folder}'; a process loads it from one folder only, not also from '{full}'.");
            }
        }
    }

    /// <summary>Loads library <paramref name="name"/> from <paramref name="libraryFolder"/> or says how to get it.</summary>
    public static nint Load(string name, string libraryFolder)
    {
        var candidates = FileNames.TryGetValue(name, out var names) ? names : [$"lib{name}.so"];
        foreach (var file in candidates)
        {
            var path = Path.Combine(libraryFolder, file);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                return NativeLibrary.Load(path);
            }
            catch (DllNotFoundException ex)
            {
                throw new NativeLibraryMissingException(
                    $"llama.cpp's library '{path}' exists but does not load: {ex.Message}", ex);
            }
        }

        throw new NativeLibraryMissingException(
            $"llama.cpp's native library '{candidates[0]}' was not found in '{libraryFolder}'. " +
            "Run `npm ci` at the repository root and build again (the build copies " +
            "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64 to native/llama next to the application), " +
            $"or set Inference:NativeLibraryPath to a folder holding {string.Join(", ", FileNames.Values.Select(n => n[0]))}.");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        FileNames.ContainsKey(libraryName) && folder is { } current ? Load(libraryName, current) : 0;
}
