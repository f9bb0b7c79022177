using Portal.Inference.Engine;

namespace Portal.Worker;

/// <summary>
/// Writes each load stage to stderr at once (not through the logger's queue, which an abort would
/// lose), so the portal names the stage in which llama.cpp killed this process.
/// </summary>
internal sealed class StderrLoadStages : ILoadStageObserver, IProgress<float>
{
    public void Begin(string stage) => Console.Error.WriteLine(LoadStage.LogMarker + stage);

    public void Report(float value)
    {
        // Load progress is not needed here: only the stages are.
    }
}
