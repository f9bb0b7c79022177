using System.Text;
using System.Threading.Channels;
using Portal.Inference.Engine;

namespace Portal.Web.Nodes;

/// <summary>
/// A generation running on a node: its token frames become the <see cref="Generation"/>'s stream, and
/// whatever ends it (the node's Finished, the node's death, a cancel the node no longer answers) completes
/// it exactly once, keeping the text as far as it got.
/// </summary>
internal sealed class RemoteGeneration(GenerationRequest request, TimeProvider time)
{
    private readonly Channel<TokenChunk> chunks = Channel.CreateUnbounded<TokenChunk>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<GenerationResult> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder text = new();
    private readonly long startedAt = time.GetTimestamp();
    private readonly Lock gate = new();
    private TimeSpan? firstToken;
    private int completionTokens;

    public string Id { get; } = Guid.NewGuid().ToString("N");

    public GenerationRequest Request { get; } = request;

    public RemoteNode? Node { get; set; }

    public int PromptTokens { get; private set; }

    /// <summary>True once a token arrived: from then on the generation cannot move to another node.</summary>
    public bool HasOutput { get; private set; }

    /// <summary>Whether the node reported the start (the prompt is being read).</summary>
    public bool IsStarted { get; private set; }

    public int Moves { get; set; }

    public bool CancelRequested { get; set; }

    public bool IsDone => completion.Task.IsCompleted;

    public Task<GenerationResult> Completion => completion.Task;

    public ChannelReader<TokenChunk> Chunks => chunks.Reader;

    public void OnStarted(int promptTokens)
    {
        lock (gate)
        {
            IsStarted = true;
            PromptTokens = promptTokens;
        }
    }

    public void OnTokens(string piece, int tokens)
    {
        lock (gate)
        {
            if (IsDone)
            {
                return;
            }

            HasOutput = true;
            firstToken ??= time.GetElapsedTime(startedAt);
            completionTokens = tokens;
            text.Append(piece);
            chunks.Writer.TryWrite(new TokenChunk(piece, tokens));
        }
    }

    /// <summary>The node's own end: its counts, with the text as streamed here.</summary>
    public bool OnFinished(GenerationResult result)
    {
        lock (gate)
        {
            return Complete(result with { Text = text.ToString(), PromptTokens = result.PromptTokens > 0 ? result.PromptTokens : PromptTokens });
        }
    }

    /// <summary>Ends it here, with what arrived so far.</summary>
    public bool End(FinishReason reason, string? error)
    {
        lock (gate)
        {
            return Complete(new GenerationResult(reason, text.ToString(), PromptTokens, completionTokens, firstToken, time.GetElapsedTime(startedAt), error));
        }
    }

    private bool Complete(GenerationResult result)
    {
        // A local worker is this machine; a remote node is priced by its own name (Costs maps names to hardware profiles).
        result = result with { Node = Node is { LocalWorkerId: null, Hello.Name: { } name } ? name : null };
        if (!completion.TrySetResult(result))
        {
            return false;
        }

        chunks.Writer.TryComplete(result.FinishReason == FinishReason.Error ? new InferenceException(result.Error ?? "The generation failed.") : null);
        return true;
    }
}
