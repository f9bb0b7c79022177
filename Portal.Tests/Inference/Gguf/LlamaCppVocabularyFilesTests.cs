using Portal.Inference.Gguf;

namespace Portal.Tests.Inference.Gguf;

/// <summary>
/// The reader against GGUF files made by llama.cpp's own converter: the vocabulary-only models in a
/// llama.cpp source checkout (PORTAL_LLAMA_CPP_DIR, or a "llama.cpp" folder beside or above the
/// repository), or those `npm ci` extracts from the pinned release into .tmp/llama-headers/models. They hold real tokenizers of 30k to 260k tokens and many metadata types.
/// </summary>
public sealed class LlamaCppVocabularyFilesTests
{
    [Fact]
    public void ConverterVocabularyFiles_ParseAndValidate()
    {
        var models = FindModelsFolder();
        Assert.SkipWhen(models is null, "No llama.cpp source checkout found (set PORTAL_LLAMA_CPP_DIR to one) for its models/ggml-vocab-*.gguf files.");

        var files = Directory.GetFiles(models!, "ggml-vocab-*.gguf");
        Assert.NotEmpty(files);
        foreach (var path in files)
        {
            var header = GgufHeaderReader.Read(path);
            Assert.True(header.Get(GgufValidator.TokensKey)?.AsArray()?.Count > 0, $"{path}: no tokens read.");
            try
            {
                GgufValidator.Validate(header);
                Assert.Empty(header.Tensors);
            }
            catch (GgufValidationException e) when (header.GetString(GgufValidator.ArchitectureKey) == "llama")
            {
                // A "llama" file with no tensors is not a usable model, and is refused for that reason only.
                Assert.Equal(GgufError.MissingTensor, e.Code);
            }
        }
    }

    private static string? FindModelsFolder()
    {
        var configured = Environment.GetEnvironmentVariable("PORTAL_LLAMA_CPP_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.Combine(configured, "models");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            // A checkout beside the repository, or the files `npm ci` extracts from the pinned release.
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "llama.cpp", "models"), Path.Combine(dir.FullName, ".tmp", "llama-headers", "models") })
            {
                if (File.Exists(Path.Combine(candidate, "ggml-vocab-llama-spm.gguf")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
