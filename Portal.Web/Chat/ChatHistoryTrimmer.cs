using Portal.Domain.Chat;
using Portal.Inference.Engine;

namespace Portal.Web.Chat;

/// <summary>The history sent to the model, and how many older messages were left out to fit.</summary>
public sealed record TrimmedHistory(IReadOnlyList<ChatMessage> Messages, int OmittedMessages, int PromptTokens);

/// <summary>
/// Context-window management: the newest turns are kept, older ones dropped until the formatted
/// prompt leaves room for the answer. Failed and refused answers and empty messages are never sent.
/// The policy's system prompt, when there is one, is always the first turn and is never dropped.
/// </summary>
public static class ChatHistoryTrimmer
{
    /// <param name="history">The conversation's messages in order, ending with the person's latest message.</param>
    /// <param name="countTokens">Tokens of a formatted prompt (the model's own tokenizer and template).</param>
    /// <param name="promptBudget">Most prompt tokens: the context size less the room kept for the answer.</param>
    /// <param name="systemPrompt">The tenant policy's system prompt (<see cref="Portal.Domain.Policies.PolicyPrompt.SystemPrompt"/>).</param>
    public static TrimmedHistory Trim(IEnumerable<Message> history, Func<IReadOnlyList<ChatMessage>, int> countTokens, int promptBudget, string? systemPrompt = null)
    {
        ArgumentNullException.ThrowIfNull(countTokens);

        // A synchronous counter completes every ValueTask at once: nothing blocks here.
        return TrimAsync(history, turns => ValueTask.FromResult(countTokens(turns)), promptBudget, systemPrompt).AsTask().GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Trim"/>
    /// <remarks>The count is asynchronous where the tokenizer runs in a worker process.</remarks>
    public static async ValueTask<TrimmedHistory> TrimAsync(IEnumerable<Message> history, Func<IReadOnlyList<ChatMessage>, ValueTask<int>> countTokens, int promptBudget, string? systemPrompt = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(countTokens);
        List<ChatMessage> turns = [.. history
            .Where(m => m.Status is not (MessageStatus.Failed or MessageStatus.Refused) && m.Role != MessageRole.System && m.Content.Length > 0)
            .Select(m => new ChatMessage(m.Role switch
            {
                MessageRole.System => "system",
                MessageRole.User => "user",
                _ => "assistant",
            }, m.Content))];
        if (turns.Count == 0 || turns[^1].Role != "user")
        {
            throw new ChatRequestException("There is no message of yours to answer.");
        }

        List<ChatMessage> system = systemPrompt is null ? [] : [new ChatMessage("system", systemPrompt)];
        List<ChatMessage> WithSystem(List<ChatMessage> kept) => [.. system, .. kept];

        // Dropping older messages never makes the prompt longer: find the fewest to drop by bisection.
        ValueTask<int> Count(int skip) => countTokens(WithSystem(turns[skip..]));
        var all = await Count(0);
        if (all <= promptBudget)
        {
            return new TrimmedHistory(WithSystem(turns), 0, all);
        }

        var last = await Count(turns.Count - 1);
        if (last > promptBudget)
        {
            throw new ChatRequestException(
                $"Your message is too long for this model: it takes {last} tokens, and the model has room for {promptBudget} with its answer. Shorten it or pick a model with a larger context.");
        }

        int low = 1, high = turns.Count - 1; // high fits, low - 1 does not
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (await Count(middle) <= promptBudget)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        // Start the kept history on a person's message, not in the middle of a turn.
        var skip = high;
        while (skip < turns.Count - 1 && turns[skip].Role == "assistant")
        {
            skip++;
        }

        var kept = WithSystem(turns[skip..]);
        return new TrimmedHistory(kept, skip, await countTokens(kept));
    }
}
