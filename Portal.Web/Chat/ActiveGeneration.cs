namespace Portal.Web.Chat;

/// <summary>A generation while it runs: whose it is, where its frames go, and how to stop it.</summary>
internal sealed class ActiveGeneration(
    Guid conversationId, ChatCaller caller, Guid modelEntryId, long order, IGenerationSink sink, CancellationToken lifetime) : IDisposable
{
    private readonly CancellationTokenSource cancellation = CancellationTokenSource.CreateLinkedTokenSource(lifetime);

    public Guid Id { get; } = Guid.NewGuid();

    public Guid ConversationId { get; } = conversationId;

    public ChatCaller Caller { get; } = caller;

    public Guid ModelEntryId { get; } = modelEntryId;

    /// <summary>Start order among all generations: the engine serves a model's queue first come, first served.</summary>
    public long Order { get; } = order;

    public IGenerationSink Sink { get; } = sink;

    /// <summary>Serialises calls into <see cref="Sink"/>: the state may change from another generation's task.</summary>
    public SemaphoreSlim SinkLock { get; } = new(1, 1);

    public GenerationState State { get; set; }

    public int OmittedMessages { get; set; }

    /// <summary>Cancelled by Stop, by the caller's connection or page going away, or by access revocation.</summary>
    public CancellationToken Token => cancellation.Token;

    public void Cancel()
    {
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished and disposed: nothing left to stop.
        }
    }

    public void Dispose()
    {
        cancellation.Dispose();
        SinkLock.Dispose();
    }
}
