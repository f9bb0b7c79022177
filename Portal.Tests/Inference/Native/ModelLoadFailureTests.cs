using Portal.Inference.Native;

namespace Portal.Tests.Inference.Native;

public sealed class ModelLoadFailureTests
{
    [Fact]
    public void LoadFromFile_NotAGgufFile_ExceptionCarriesLlamaCppReason()
    {
        NativeTestLibrary.Initialize();
        var path = Path.Combine(Path.GetTempPath(), $"portal-not-gguf-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, [.. "NOPE"u8, .. new byte[64]]);
        try
        {
            var parameters = LlamaNative.llama_model_default_params();

            var error = Assert.Throws<LlamaException>(() => SafeLlamaModelHandle.LoadFromFile(path, parameters));

            Assert.StartsWith($"llama.cpp could not load the model '{path}':", error.Message, StringComparison.Ordinal);
            Assert.Contains("magic", error.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
