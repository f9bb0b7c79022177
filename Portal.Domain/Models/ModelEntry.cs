namespace Portal.Domain.Models;

public enum ModelState
{
    Registered,
    Loading,
    Loaded,
    Failed,
    Unloaded,
}

/// <summary>
/// A GGUF file the platform knows: what the validator read from it, and how it is run.
/// Platform-level: tenants see a model only through a <see cref="ModelGrant"/>.
/// </summary>
public sealed class ModelEntry
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    /// <summary>File name inside the models folder, chosen by the portal, never by a client.</summary>
    public required string FileName { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole file.</summary>
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
