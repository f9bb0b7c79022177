using Microsoft.Extensions.Options;

namespace Portal.Inference.Engine;

/// <summary>Checks at start what data annotations cannot: that a configured library folder exists.</summary>
internal sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options) =>
        !string.IsNullOrWhiteSpace(options.NativeLibraryPath) && !Directory.Exists(options.NativeLibraryPath)
            ? ValidateOptionsResult.Fail(
                $"Inference:NativeLibraryPath '{options.NativeLibraryPath}' does not exist; point it at the folder holding libllama, or leave it empty to use native/llama next to the application.")
            : ValidateOptionsResult.Success;
}
