using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Data;
using Portal.Web.Identity;

namespace Portal.Web.Chat;

public static class ChatExtensions
{
    /// <summary>Chat: options "Portal:Chat", the generation service, conversation store, hub and access revocation.</summary>
    public static IHostApplicationBuilder AddPortalChat(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ChatGenerations>();
        services.TryAddSingleton<QuotaReservation>();
        services.TryAddSingleton<Portal.Web.Audit.AuditLog>();
        services.TryAddSingleton<ChatConnections>();
        services.TryAddSingleton<ChatAccess>();
        services.TryAddSingleton<IAccessRevocation, AccessRevocation>();
        services.TryAddSingleton<MarkdownRenderer>();
        services.TryAddScoped<ConversationStore>();
        services.AddSignalR();
        services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<LoggerFilterOptions>, HubLogRedaction>();
        return builder;
    }

    /// <summary>The chat hub at <see cref="ChatHub.Path"/> and the conversation export downloads.</summary>
    public static WebApplication MapPortalChat(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHub<ChatHub>(ChatHub.Path);
        app.MapGet("/chat/export/{conversationId:guid}.{format}", ExportAsync).RequireAuthorization(PortalPolicies.Member);
        return app;
    }

    private static async Task<IResult> ExportAsync(
        Guid conversationId, string format, HttpContext http, [FromServices] ConversationStore store, [FromServices] PortalDbContext db)
    {
        if (ChatCaller.From(http.User) is not { } caller)
        {
            return Results.NotFound();
        }

        if (format is not ("md" or "json"))
        {
            return Results.BadRequest("Export as .md or .json.");
        }

        try
        {
            var conversation = await store.GetAsync(caller, conversationId, http.RequestAborted);
            var model = await db.ModelEntries.Where(m => m.Id == conversation.ModelEntryId).Select(m => m.Name).FirstOrDefaultAsync(http.RequestAborted);
            return format == "md"
                ? Results.File(System.Text.Encoding.UTF8.GetBytes(ConversationExport.ToMarkdown(conversation, model)), "text/markdown; charset=utf-8", ConversationExport.FileName(conversation, "md"))
                : Results.File(System.Text.Encoding.UTF8.GetBytes(ConversationExport.ToJson(conversation, model)), "application/json", ConversationExport.FileName(conversation, "json"));
        }
        catch (ConversationNotFoundException)
        {
            return Results.NotFound();
        }
    }
}
