using System.Text;
using System.Threading.Channels;
using Portal.Inference.Native;

namespace Portal.Inference.Engine;

/// <summary>
/// One generation while it runs: its prompt, its own sampler, its place in the KV cache (sequence id
/// and position) and the text it streams. Touched by the scheduler thread only, except
/// <see cref="Cancel"/>, which any thread may call.
/// </summary>
internal sealed class Conversation
{
    private readonly Channel<TokenChunk> chunks = Channel.CreateUnbounded<TokenChunk>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource<GenerationResult> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Utf8TokenDecoder decoder = new();
    private readonly StopSequenceMatcher stopMatcher;
    private readonly StringBuilder answer = new();
    private readonly TimeProvider timeProvider;
    private readonly long startedAt;
    private byte[] pieceBuffer = new byte[256];
    private TimeSpan? timeToFirstToken;
    private int cancelRequested;
    private int promptCursor;
    private bool stoppedBySequence;

    public Conversation(GenerationRequest request, int[] promptTokens, SafeLlamaSamplerHandle sampler, TimeProvider timeProvider)
    {
        Request = request;
        PromptTokens = promptTokens;
        Sampler = sampler;
        this.timeProvider = timeProvider;
        startedAt = timeProvider.GetTimestamp();
        stopMatcher = new StopSequenceMatcher(request.StopSequences);
    }

    public GenerationRequest Request { get; }

    public int[] PromptTokens { get; }

    public SafeLlamaSamplerHandle Sampler { get; }

    /// <summary>Raised once, on the cancelling thread, when <see cref="Cancel"/> is first called.</summary>
    public Action<Conversation>? Cancelled { get; set; }

    /// <summary>The caller's token registration; released when the conversation completes.</summary>
    public CancellationTokenRegistration CallerCancellation { get; set; }

    public bool IsCancelRequested => Volatile.Read(ref cancelRequested) != 0;

    public bool IsCompleted => completion.Task.IsCompleted;

    /// <summary>The KV-cache sequence (slot) it occupies, or -1 while queued.</summary>
    public int Sequence { get; set; } = -1;

    /// <summary>Tokens of this conversation in the KV cache.</summary>
    public int Position { get; set; }

    /// <summary>Index of its logits in the batch being decoded, or -1 when it samples nothing this step.</summary>
    public int BatchIndex { get; set; } = -1;

    /// <summary>Tokens it put in the batch being decoded.</summary>
    public int TokensInBatch { get; private set; }

    /// <summary>True when this step feeds a prompt chunk, false when it feeds <see cref="LastToken"/>.</summary>
    public bool PlannedPrompt { get; private set; }

    /// <summary>The prompt tokens this step feeds (when <see cref="PlannedPrompt"/>).</summary>
    public ReadOnlySpan<int> PlannedChunk => PromptTokens.AsSpan(promptCursor - TokensInBatch, TokensInBatch);

    /// <summary>KV cells promised to it while it holds a slot.</summary>
    public int ReservedCells { get; set; }

    /// <summary>The last sampled token: the next step's input.</summary>
    public int LastToken { get; private set; }

    public int CompletionTokens { get; private set; }

    public bool IsPrefilling => promptCursor < PromptTokens.Length;

    public ChannelReader<TokenChunk> Chunks => chunks.Reader;

    public Task<GenerationResult> Completion => completion.Task;

    public void Cancel()
    {
        if (Interlocked.Exchange(ref cancelRequested, 1) == 0)
        {
            Cancelled?.Invoke(this);
        }
    }

    /// <summary>This step feeds the last sampled token.</summary>
    public void PlanNextToken()
    {
        PlannedPrompt = false;
        TokensInBatch = 1;
    }

    /// <summary>This step feeds the next at most <paramref name="budget"/> prompt tokens; returns how many.</summary>
    public int PlanPromptChunk(int budget)
    {
        var count = Math.Min(budget, PromptTokens.Length - promptCursor);
        promptCursor += count;
        PlannedPrompt = true;
        TokensInBatch = count;
        return count;
    }

    /// <summary>Gives back the last <paramref name="count"/> planned prompt tokens for a later step.</summary>
    public void ReturnPromptTokens(int count)
    {
        promptCursor -= count;
        TokensInBatch -= count;
    }

    /// <summary>Takes a sampled token; returns the reason the generation ends, or null to go on.</summary>
    public FinishReason? Accept(int token, nint vocab, int contextSize)
    {
        timeToFirstToken ??= timeProvider.GetElapsedTime(startedAt);
        if (LlamaNative.llama_vocab_is_eog(vocab, token))
        {
            return FinishReason.Stop;
        }

        CompletionTokens++;
        LastToken = token;
        var length = LlamaText.TokenToPiece(vocab, token, ref pieceBuffer);
        var (text, stopped) = stopMatcher.Push(decoder.Decode(pieceBuffer.AsSpan(0, length)));
        Emit(text);
        if (stopped)
        {
            stoppedBySequence = true;
            return FinishReason.Stop;
        }

        // Prompt plus answer fit in the context: the next step would store this token at Position.
        return CompletionTokens >= Request.MaxTokens || Position + 1 >= contextSize ? FinishReason.Length : null;
    }

    /// <summary>Ends the stream with <paramref name="reason"/>; idempotent.</summary>
    public void Complete(FinishReason reason, string? error = null)
    {
        if (completion.Task.IsCompleted)
        {
            return;
        }

        // Nothing after a stop sequence is shown. Otherwise the text held back for a possible stop
        // sequence is; bytes of a character the answer ended in the middle of are dropped, not
        // shown as U+FFFD.
        if (reason is FinishReason.Length or FinishReason.Stop && error is null && !stoppedBySequence)
        {
            Emit(stopMatcher.Flush());
        }

        Sampler.Dispose();
        CallerCancellation.Dispose();
        var result = new GenerationResult(
            reason, answer.ToString(), PromptTokens.Length, CompletionTokens,
            timeToFirstToken, timeProvider.GetElapsedTime(startedAt), error);
        chunks.Writer.TryComplete(reason == FinishReason.Error ? new InferenceException(error ?? "The generation failed.") : null);
        completion.TrySetResult(result);
    }

    private void Emit(string text)
    {
        if (text.Length > 0)
        {
            answer.Append(text);
            chunks.Writer.TryWrite(new TokenChunk(text, CompletionTokens));
        }
    }
}
