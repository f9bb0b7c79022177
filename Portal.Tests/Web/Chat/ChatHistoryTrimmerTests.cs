using Portal.Domain.Chat;
using Portal.Inference.Engine;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>Context-window trimming with a counter of one token per character (the engine's real counter runs in the hub tests).</summary>
public sealed class ChatHistoryTrimmerTests
{
    private static int Characters(IReadOnlyList<ChatMessage> turns) => turns.Sum(t => t.Content.Length);

    [Fact]
    public void Trim_HistoryFits_SentWhole()
    {
        var trimmed = ChatHistoryTrimmer.Trim(History("aaaa", "bbbb", "cccc"), Characters, promptBudget: 12);

        Assert.Equal((0, 12), (trimmed.OmittedMessages, trimmed.PromptTokens));
        Assert.Equal(["aaaa", "bbbb", "cccc"], trimmed.Messages.Select(m => m.Content));
    }

    [Fact]
    public void Trim_TooLong_NewestKeptStartingOnAPersonsMessage()
    {
        // user, assistant, user, assistant, user: dropping only the first would start on an answer.
        var trimmed = ChatHistoryTrimmer.Trim(History("u1u1", "a1a1", "u2u2", "a2a2", "u3u3"), Characters, promptBudget: 16);

        Assert.Equal(2, trimmed.OmittedMessages);
        Assert.Equal(["u2u2", "a2a2", "u3u3"], trimmed.Messages.Select(m => m.Content));
        Assert.Equal("user", trimmed.Messages[0].Role);
    }

    [Fact]
    public void Trim_FailedAnswersAndEmptyMessages_NeverSent()
    {
        var history = History("question", "broken", "again");
        history[1].Status = MessageStatus.Failed;

        var trimmed = ChatHistoryTrimmer.Trim(history, Characters, promptBudget: 100);

        Assert.Equal(["question", "again"], trimmed.Messages.Select(m => m.Content));
    }

    [Fact]
    public void Trim_LastMessageAloneTooLong_RefusedWithSizes()
    {
        var refused = Assert.Throws<ChatRequestException>(() => ChatHistoryTrimmer.Trim(History("short", "answer", new string('x', 50)), Characters, promptBudget: 20));

        Assert.Equal("Your message is too long for this model: it takes 50 tokens, and the model has room for 20 with its answer. Shorten it or pick a model with a larger context.", refused.Message);
    }

    /// <summary>Alternating user and assistant messages, the first from the person.</summary>
    private static List<Message> History(params string[] contents) =>
        [.. contents.Select((content, i) => new Message { Role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant, Content = content })];
}
