namespace Portal.Domain.Models;

public enum ModelState
{
    Registered,
    Loading,
    Loaded,
    Failed,
    Unloaded,
}

/// <summary>How a model is run.</summary>
public enum ModelKind
{
    /// <summary>A GGUF file of the models folder, run by the portal's own engine.</summary>
    GgufFile,

    /// <summary>A model served by an existing engine (vLLM, llama.cpp's server, Ollama, TGI) over the OpenAI protocol.</summary>
    Endpoint,
}

/// <summary>
/// A model the platform knows: a GGUF file (what the validator read from it, and how it is run) or an
/// external engine's model (<see cref="Endpoint"/>). Platform-level: tenants see a model only through a
/// <see cref="ModelGrant"/>.
/// </summary>
public sealed class ModelEntry
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    public ModelKind Kind { get; set; } = ModelKind.GgufFile;

    /// <summary>Where an <see cref="ModelKind.Endpoint"/> model is served; null for a GGUF file.</summary>
    public ModelEndpoint? Endpoint { get; set; }

    /// <summary>
    /// File name inside the models folder, chosen by the portal, never by a client. For an endpoint
    /// model a placeholder ("endpoint-" and the id), so that the unique index on files still holds.
    /// </summary>
    public required string FileName { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>
    /// Lower-case hex SHA-256 of the whole file; for an endpoint model, of its base URL and remote model
    /// name (<see cref="ModelEndpoint.IdentityHash"/>), so the same remote model is registered once.
    /// </summary>
    public required string Sha256 { get; set; }

    public string Architecture { get; set; } = "";

    public long ParameterCount { get; set; }

    public string Quantisation { get; set; } = "";

    public int ContextLength { get; set; }

    public int LayerCount { get; set; }

    public int VocabularySize { get; set; }

    public string? ChatTemplate { get; set; }

    /// <summary>A model the portal generated itself for tests and first start: its answers are noise.</summary>
    public bool IsTestModel { get; set; }

    public bool IsEnabled { get; set; } = true;

    public ModelState State { get; set; } = ModelState.Registered;

    /// <summary>llama.cpp's reason when <see cref="State"/> is <see cref="ModelState.Failed"/>.</summary>
    public string? FailureReason { get; set; }

    public int DefaultContextSize { get; set; } = 4096;

    public int DefaultGpuLayers { get; set; }

    public int DefaultThreads { get; set; }

    public int DefaultParallelSlots { get; set; } = 4;

    public DateTimeOffset CreatedAt { get; set; }
}
