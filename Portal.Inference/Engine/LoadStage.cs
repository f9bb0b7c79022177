namespace Portal.Inference.Engine;

/// <summary>
/// The steps of loading a model and accepting it, in order. A worker announces each before it starts
/// (one line on stderr, <see cref="LogMarker"/> + stage), so when llama.cpp kills the process the
/// portal names the step that was running: load, context, tokenizer or first decode.
/// </summary>
public static class LoadStage
{
    /// <summary>Starts a stage line on the worker's stderr; the portal reads the rest of the line as the stage.</summary>
    public const string LogMarker = "portal-load-stage: ";

    public const string Loading = "loading the model file";
    public const string CreatingContext = "creating the context";
    public const string Tokenizing = "applying the chat template and tokenizing the probe text";
    public const string Decoding = "decoding the probe's first tokens";
}

/// <summary>
/// Told when a load stage begins. A load's <see cref="IProgress{T}"/> that also implements this hears
/// <see cref="LoadStage.CreatingContext"/> from the engine; the acceptance probe reports its own stages.
/// </summary>
public interface ILoadStageObserver
{
    /// <summary>Called on the loading thread just before <paramref name="stage"/> starts.</summary>
    void Begin(string stage);
}
