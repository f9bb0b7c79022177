namespace Portal.Web.Chat;

/// <summary>
/// Where one generation's frames go: the hub's caller connection, or a Blazor chat page in its circuit.
/// <see cref="ChatGenerations"/> calls it from one task at a time, in order.
/// </summary>
public interface IGenerationSink
{
    /// <summary>The door the request came through ("hub", "page", "api"), for the operations metrics and spans.</summary>
    string Door => "other";

    Task StateChangedAsync(GenerationStateFrame frame);

    Task TokensAsync(TokenFrame frame);

    Task CompletedAsync(GenerationCompletedFrame frame);
}
