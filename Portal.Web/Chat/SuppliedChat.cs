using Portal.Inference.Engine;

namespace Portal.Web.Chat;

/// <summary>
/// A chat whose history the caller brings with the request (the OpenAI-compatible API is stateless):
/// <see cref="Messages"/> are "system", "user" and "assistant" turns ending with the person's
/// question. The pipeline runs them as it runs a stored conversation: every turn passes the input
/// policy, and the exchange is stored in a new conversation of its own when the tenant stores prompts.
/// </summary>
/// <param name="ModelEntryId">The model to answer with (already checked against the key and the tenant).</param>
/// <param name="Title">The title of the conversation the exchange is stored in.</param>
/// <param name="Messages">The turns, oldest first, the last one the question.</param>
/// <param name="MaxTokens">Most answer tokens the caller wants; the portal's own limit and the quota still apply.</param>
/// <param name="Sampling">The caller's sampling settings; null: the portal's.</param>
/// <param name="StopSequences">Texts that end the answer (the engine's stop sequences).</param>
public sealed record SuppliedChat(
    Guid ModelEntryId,
    string Title,
    IReadOnlyList<ChatMessage> Messages,
    int? MaxTokens = null,
    SamplingSettings? Sampling = null,
    IReadOnlyList<string>? StopSequences = null);

/// <summary>The caller's history does not fit the model's context with room for the answer (the API does not trim it silently).</summary>
public sealed class ContextTooLongException(int omittedMessages) : ChatRequestException(
    $"The messages do not fit this model's context with room for the answer: the oldest {omittedMessages} would have to be left out. Send fewer or shorter messages, or a smaller max_tokens.");
