namespace Portal.Web.Chat;

/// <summary>A chat request refused with a reason the person can act on (nothing was changed).</summary>
public class ChatRequestException(string message) : Exception(message);

/// <summary>The conversation does not exist for this caller: another tenant's or person's id reads the same as an unknown one.</summary>
public sealed class ConversationNotFoundException() : ChatRequestException("Conversation not found.");

/// <summary>The caller may no longer chat in the tenant (disabled, removed, tenant suspended) since signing in.</summary>
public sealed class ChatAccessEndedException() : ChatRequestException("Your access to chat in this tenant has ended.");
