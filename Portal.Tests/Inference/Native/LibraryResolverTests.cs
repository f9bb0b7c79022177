using Portal.Inference.Native;

namespace Portal.Tests.Inference.Native;

public sealed class LibraryResolverTests
{
    [Fact]
    public void Load_EmptyFolder_SaysHowToGetTheLibraries()
    {
        var empty = Directory.CreateTempSubdirectory("portal-no-llama-");
        try
        {
            var error = Assert.Throws<NativeLibraryMissingException>(() => LlamaLibraryResolver.Load(LlamaNative.LibraryName, empty.FullName));

            Assert.Contains("libllama.v0.5.0.so", error.Message, StringComparison.Ordinal);
            Assert.Contains(empty.FullName, error.Message, StringComparison.Ordinal);
            Assert.Contains("npm ci", error.Message, StringComparison.Ordinal);
            Assert.Contains("Inference:NativeLibraryPath", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_FileThatIsNoLibrary_ReportsTheLoaderError()
    {
        var folder = Directory.CreateTempSubdirectory("portal-bad-llama-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "libllama.v0.5.0.so"), "not an ELF file");

            var error = Assert.Throws<NativeLibraryMissingException>(() => LlamaLibraryResolver.Load(LlamaNative.LibraryName, folder.FullName));

            Assert.Contains("exists but does not load", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_BuildOutputFolder_FindsLlama()
    {
        var handle = LlamaLibraryResolver.Load(LlamaNative.LibraryName, NativeTestLibrary.Folder);

        Assert.NotEqual(0, handle);
    }

    [Fact]
    public void Initialize_FindsTheCpu()
    {
        var devices = NativeTestLibrary.Initialize();

        Assert.Contains(devices, d => !d.IsGpu);
    }
}
