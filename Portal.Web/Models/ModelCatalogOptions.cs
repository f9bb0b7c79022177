using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Models;

/// <summary>Where model files live and what the portal does with them on start; section "Portal:Models".</summary>
public sealed class ModelCatalogOptions
{
    public const string SectionName = "Portal:Models";

    /// <summary>Folder of GGUF files. Empty: "models" under Portal:DataDirectory.</summary>
    public string? Folder { get; set; }

    /// <summary>
    /// On a start with no model registered, write the tiny test model (its answers are noise) into
    /// <see cref="Folder"/>, register it and grant it to every tenant, so chat works out of the box.
    /// </summary>
    public bool CreateTestModelWhenEmpty { get; set; } = true;

    /// <summary>On start, load again the enabled models that were loaded when the portal last stopped.</summary>
    public bool LoadOnStart { get; set; } = true;

    /// <summary>Most context tokens a model is loaded with, whatever its file allows.</summary>
    [Range(32, 1_048_576)]
    public int MaxContextSize { get; set; } = 8192;
}
