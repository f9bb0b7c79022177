namespace Portal.Web.Chat;

/// <summary>What the chat hub calls on a client's connection while its answer streams.</summary>
public interface IChatClient
{
    Task GenerationStateChanged(GenerationStateFrame frame);

    Task ReceiveTokens(TokenFrame frame);

    Task GenerationCompleted(GenerationCompletedFrame frame);
}
