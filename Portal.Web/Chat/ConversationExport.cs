using System.Globalization;
using System.Text;
using System.Text.Json;
using Portal.Domain.Chat;

namespace Portal.Web.Chat;

/// <summary>A conversation as a Markdown document or as JSON, for download.</summary>
public static class ConversationExport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string ToMarkdown(Conversation conversation, string? modelName)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var text = new StringBuilder();
        text.Append("# ").AppendLine(conversation.Title).AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"- Model: {modelName ?? "unknown"}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"- Started: {conversation.CreatedAt:u}").AppendLine().AppendLine();
        foreach (var message in conversation.Messages)
        {
            var status = message.Status is MessageStatus.Stopped or MessageStatus.Failed ? $" ({message.Status.ToString().ToLowerInvariant()})" : "";
            text.Append("## ").Append(message.Role).Append(status).AppendLine().AppendLine();
            text.AppendLine(message.Content).AppendLine();
            if (message.Error is { } error)
            {
                text.Append("> Error: ").AppendLine(error).AppendLine();
            }
        }

        return text.ToString();
    }

    public static string ToJson(Conversation conversation, string? modelName)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return JsonSerializer.Serialize(
            new
            {
                conversation.Id,
                conversation.Title,
                Model = modelName,
                conversation.ModelEntryId,
                conversation.CreatedAt,
                conversation.UpdatedAt,
                Messages = conversation.Messages.Select(MessageView.From),
            },
            Json);
    }

    /// <summary>A file name made of the title's letters and digits.</summary>
    public static string FileName(Conversation conversation, string extension)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var safe = new string([.. conversation.Title.Select(c => char.IsLetterOrDigit(c) ? c : '-')]).Trim('-');
        return $"{(safe.Length == 0 ? "conversation" : safe[..Math.Min(safe.Length, 60)])}.{extension}";
    }
}
