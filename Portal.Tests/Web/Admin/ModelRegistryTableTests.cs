using Bunit;
using Portal.Domain.Models;
using Portal.Tests.Web.Shell;
using Portal.Web.Admin;
using Portal.Web.Components.Pages.Admin;

namespace Portal.Tests.Web.Admin;

/// <summary>The registry table's view of each model state, and which actions it offers in each.</summary>
public sealed class ModelRegistryTableTests : BunitTest
{
    [Theory]
    [InlineData(ModelState.Registered, false, false, "registered")]
    [InlineData(ModelState.Loaded, true, false, "loaded")]
    [InlineData(ModelState.Loaded, true, true, "loaded · answering")]
    [InlineData(ModelState.Failed, false, false, "failed")]
    [InlineData(ModelState.Unloaded, false, false, "unloaded")]
    [InlineData(ModelState.Loading, false, false, "loading")]
    public void Table_EachState_ShownWithItsLabel(ModelState state, bool loaded, bool inUse, string label)
    {
        var cut = RenderTable(new ModelView(Model(state), new HashSet<Guid>(), loaded, inUse));

        Assert.Equal(label, cut.Find(".model-state").TextContent.Trim());
    }

    [Fact]
    public void Table_Failed_ShowsLlamaCppsReason()
    {
        var model = Model(ModelState.Failed);
        model.FailureReason = "llama_model_load: error loading model: unknown model architecture: 'mamba9'";

        var cut = RenderTable(new ModelView(model, new HashSet<Guid>(), false, false));

        Assert.Equal(model.FailureReason, cut.Find(".model-failure").TextContent);
        Assert.False(cut.Find(".model-load").HasAttribute("disabled"));
    }

    [Fact]
    public void Table_Loaded_OffersUnloadAndRefusesDelete()
    {
        var cut = RenderTable(new ModelView(Model(ModelState.Loaded), new HashSet<Guid>(), IsLoaded: true, IsInUse: false));

        Assert.Empty(cut.FindAll(".model-load"));
        Assert.Single(cut.FindAll(".model-unload"));
        Assert.True(cut.Find(".model-delete").HasAttribute("disabled"));
    }

    [Fact]
    public void Table_Registered_OffersLoadAndDelete()
    {
        var cut = RenderTable(new ModelView(Model(ModelState.Registered), new HashSet<Guid>(), false, false));

        Assert.False(cut.Find(".model-load").HasAttribute("disabled"));
        Assert.False(cut.Find(".model-delete").HasAttribute("disabled"));
    }

    [Fact]
    public void Table_Disabled_CannotBeLoaded()
    {
        var model = Model(ModelState.Registered);
        model.IsEnabled = false;

        var cut = RenderTable(new ModelView(model, new HashSet<Guid>(), false, false));

        Assert.True(cut.Find(".model-load").HasAttribute("disabled"));
    }

    [Fact]
    public void Table_Loading_ShowsProgressAndLoadIsDisabled()
    {
        var model = Model(ModelState.Registered);

        var cut = Render<ModelRegistryTable>(p => p
            .Add(c => c.Models, [new ModelView(model, new HashSet<Guid>(), false, false)])
            .Add(c => c.LoadProgress, new Dictionary<Guid, float> { [model.Id] = 0.5f }));

        Assert.Equal("loading", cut.Find(".model-state").TextContent.Trim());
        Assert.Equal("50", cut.Find(".model-load-progress").GetAttribute("aria-valuenow"));
        Assert.True(cut.Find(".model-load").HasAttribute("disabled"));
    }

    [Fact]
    public void Table_Metadata_ShownFromTheValidator()
    {
        var cut = RenderTable(new ModelView(Model(ModelState.Registered), new HashSet<Guid>(), false, false));

        var row = cut.Find("tbody tr").TextContent;
        Assert.Contains("portal-tiny-llama", row, StringComparison.Ordinal);
        Assert.Contains("llama", row, StringComparison.Ordinal);
        Assert.Contains("F32", row, StringComparison.Ordinal);
        Assert.Contains("2,048", row, StringComparison.Ordinal);
        Assert.Contains("118 K", row, StringComparison.Ordinal);
        Assert.Contains("476 KB", row, StringComparison.Ordinal);
        Assert.Equal(new string('a', 64), cut.Find(".model-sha").GetAttribute("title"));
    }

    private IRenderedComponent<ModelRegistryTable> RenderTable(ModelView view) =>
        Render<ModelRegistryTable>(p => p.Add(c => c.Models, [view]));

    private static ModelEntry Model(ModelState state) => new()
    {
        Name = "portal-tiny-llama",
        FileName = "tiny-0123456789ab.gguf",
        Sha256 = new string('a', 64),
        Architecture = "llama",
        ParameterCount = 118_000,
        Quantisation = "F32",
        ContextLength = 2048,
        LayerCount = 2,
        VocabularySize = 356,
        SizeBytes = 487_000,
        State = state,
    };
}
