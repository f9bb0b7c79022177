using Portal.Domain.Chat;
using Portal.Inference.Engine;

namespace Portal.Web.Chat;

/// <summary>The history sent to the model, and how many older messages were left out to fit.</summary>
public sealed record TrimmedHistory(IReadOnlyList<ChatMessage> Messages, int OmittedMessages, int PromptTokens);

/// <summary>
/// Context-window management: the newest turns are kept, older ones dropped until the formatted
/// prompt leaves room for the answer. Failed answers and empty messages are never sent.
/// </summary>
public static class ChatHistoryTrimmer
{
    /// <param name="history">The conversation's messages in order, ending with the person's latest message.</param>
    /// <param name="countTokens">Tokens of a formatted prompt (the model's own tokenizer and template).</param>
    /// <param name="promptBudget">Most prompt tokens: the context size less the room kept for the answer.</param>
    public static TrimmedHistory Trim(IEnumerable<Message> history, Func<IReadOnlyList<ChatMessage>, int> countTokens, int promptBudget)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(countTokens);
        List<ChatMessage> turns = [.. history
            .Where(m => m.Status != MessageStatus.Failed && m.Content.Length > 0)
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

        // Dropping older messages never makes the prompt longer: find the fewest to drop by bisection.
        int Count(int skip) => countTokens(turns[skip..]);
        var all = Count(0);
        if (all <= promptBudget)
        {
            return new TrimmedHistory(turns, 0, all);
        }

        var last = Count(turns.Count - 1);
        if (last > promptBudget)
        {
            throw new ChatRequestException(
                $"Your message is too long for this model: it takes {last} tokens, and the model has room for {promptBudget} with its answer. Shorten it or pick a model with a larger context.");
        }

        int low = 1, high = turns.Count - 1; // high fits, low - 1 does not
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (Count(middle) <= promptBudget)
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

        var kept = turns[skip..];
        return new TrimmedHistory(kept, skip, countTokens(kept));
    }
}
