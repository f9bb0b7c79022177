using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>The few ggml backend-registry functions the engine needs (ggml-backend.h), C names kept.</summary>
internal static unsafe partial class GgmlNative
{
    /// <summary>libggml: backend loading and device enumeration.</summary>
    public const string LibraryName = "ggml";

    /// <summary>libggml-base: device properties.</summary>
    public const string BaseLibraryName = "ggml-base";

    /// <summary><c>enum ggml_backend_dev_type</c>.</summary>
    public const int GGML_BACKEND_DEVICE_TYPE_CPU = 0;
    public const int GGML_BACKEND_DEVICE_TYPE_GPU = 1;
    public const int GGML_BACKEND_DEVICE_TYPE_IGPU = 2;

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string dir_path);

    [LibraryImport(LibraryName)]
    public static partial nuint ggml_backend_dev_count();

    [LibraryImport(LibraryName)]
    public static partial nint ggml_backend_dev_get(nuint index);

    [LibraryImport(BaseLibraryName)]
    public static partial nint ggml_backend_dev_name(nint device);

    [LibraryImport(BaseLibraryName)]
    public static partial nint ggml_backend_dev_description(nint device);

    [LibraryImport(BaseLibraryName)]
    public static partial int ggml_backend_dev_type(nint device);

    [LibraryImport(BaseLibraryName)]
    public static partial void ggml_backend_dev_memory(nint device, nuint* free, nuint* total);
}
