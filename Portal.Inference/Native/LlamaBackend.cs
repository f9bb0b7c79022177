using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Portal.Inference.Native;

/// <summary>A compute device ggml found: the CPU, or a GPU when its backend library loaded.</summary>
public sealed record ComputeDevice(string Name, string Description, bool IsGpu);

/// <summary>
/// Process-wide start of llama.cpp: resolver folder, log routing, <c>llama_backend_init</c> and
/// <c>ggml_backend_load_all_from_path</c>, which picks the best CPU variant (and CUDA when its
/// library sits in the folder and a GPU answers). Done once; later calls must name the same folder.
/// </summary>
internal static unsafe class LlamaBackend
{
    private static readonly Lock Gate = new();
    private static IReadOnlyList<ComputeDevice>? devices;

    public static IReadOnlyList<ComputeDevice> Initialize(string libraryFolder, ILoggerFactory loggerFactory)
    {
        lock (Gate)
        {
            LlamaLibraryResolver.Use(libraryFolder);
            if (devices is not null)
            {
                // A later host in the same process (tests): its logger, not a disposed one's.
                NativeLog.Attach(loggerFactory);
                return devices;
            }

            // Fail with the install hint before any P/Invoke throws a bare DllNotFoundException.
            LlamaLibraryResolver.Load(LlamaNative.LibraryName, LlamaLibraryResolver.Folder!);
            NativeLog.Attach(loggerFactory);
            LlamaNative.llama_backend_init();
            GgmlNative.ggml_backend_load_all_from_path(LlamaLibraryResolver.Folder!);
            devices = ListDevices();
            return devices;
        }
    }

    private static ComputeDevice[] ListDevices()
    {
        var count = (int)GgmlNative.ggml_backend_dev_count();
        var found = new ComputeDevice[count];
        for (var i = 0; i < count; i++)
        {
            var device = GgmlNative.ggml_backend_dev_get((nuint)i);
            var type = GgmlNative.ggml_backend_dev_type(device);
            found[i] = new ComputeDevice(
                Marshal.PtrToStringUTF8(GgmlNative.ggml_backend_dev_name(device)) ?? "?",
                Marshal.PtrToStringUTF8(GgmlNative.ggml_backend_dev_description(device)) ?? "?",
                type is GgmlNative.GGML_BACKEND_DEVICE_TYPE_GPU or GgmlNative.GGML_BACKEND_DEVICE_TYPE_IGPU);
        }

        return found;
    }
}
