using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Models;
using Portal.Domain.Policies;
using Portal.Domain.Tenants;
using Portal.Inference.Gguf;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Shell;
using Portal.Web.Chat;
using Portal.Web.Components.Pages.Chat;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Policies;

/// <summary>The two doors into the generation pipeline that a person uses: the chat hub and the chat page.</summary>
public enum Door
{
    Hub,
    Page,
}

/// <summary>What a person saw of one answer: its state, its text, what the policy did (the sentences shown), and the text streamed.</summary>
public sealed record SeenAnswer(GenerationState State, string Content, IReadOnlyList<string> PolicyActions, string Streamed, string? Error, string? Notice, string? Question = null, IReadOnlyList<string>? QuestionActions = null, bool ShowsSelfCheck = false);

/// <summary>A member of a tenant of their own (so each test has its own policy), with a conversation on the tiny model.</summary>
public sealed record PolicyTenant(SignedInUser Member, Guid TenantId, string TenantName, Guid ConversationId, Guid ModelId);

public static class PolicyDoors
{
    public const string ConnectionClosed = "The hub closed the connection.";

    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;

    /// <summary>A new tenant with the tiny model granted, a member, <paramref name="policy"/> saved as its version 1 (when given) and a conversation.</summary>
    public static async Task<PolicyTenant> NewTenantAsync(ChatApp app, TenantPolicy? policy, Guid? modelId = null)
    {
        var tenantName = $"Policy {Guid.NewGuid():N}"[..20];
        var member = await app.NewMemberAsync(tenantName);
        var tiny = await app.Factory.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Name.StartsWith(TestModels.TinyLlamaName), Cancel));
        var model = modelId ?? tiny.Id;
        var (tenantId, conversationId) = await app.Factory.QueryAsync(async db =>
        {
            var tenant = await db.Tenants.SingleAsync(t => t.Name == tenantName, Cancel);
            foreach (var id in new[] { tiny.Id, app.LongAnswerModelId })
            {
                db.ModelGrants.Add(new ModelGrant { TenantId = tenant.Id, ModelEntryId = id, GrantedAt = DateTimeOffset.UtcNow });
            }

            var workspace = new Portal.Domain.Chat.Workspace { TenantId = tenant.Id, Name = "General", CreatedAt = DateTimeOffset.UtcNow };
            var conversation = new Portal.Domain.Chat.Conversation
            {
                TenantId = tenant.Id, WorkspaceId = workspace.Id, OwnerUserId = member.User.Id, Title = "New conversation",
                ModelEntryId = model, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            };
            db.Workspaces.Add(workspace);
            db.Conversations.Add(conversation);
            if (policy is not null)
            {
                policy.TenantId = tenant.Id;
                policy.CreatedByUserId = member.User.Id;
                db.TenantPolicies.Add(policy);
            }

            await db.SaveChangesAsync(Cancel);
            return (tenant.Id, conversation.Id);
        });
        return new PolicyTenant(member, tenantId, tenantName, conversationId, model);
    }

    /// <summary>Sends the text through the door and waits for the answer to end; <paramref name="beforeSend"/> runs once the door is open (connected, page shown).</summary>
    public static Task<SeenAnswer> SendAsync(Door door, ChatApp app, PolicyTenant tenant, string text, Func<Task>? beforeSend = null) => door switch
    {
        Door.Hub => SendThroughHubAsync(tenant, text, beforeSend),
        _ => SendThroughPageAsync(app, tenant, text, beforeSend),
    };

    private static async Task<SeenAnswer> SendThroughHubAsync(PolicyTenant tenant, string text, Func<Task>? beforeSend)
    {
        await using var hub = await tenant.Member.ConnectAsync();
        var recorder = new AnswerRecorder(hub);
        if (beforeSend is not null)
        {
            await beforeSend();
        }

        GenerationStarted started;
        try
        {
            started = await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), tenant.ConversationId, text, Cancel);
        }
        catch (HubException ex)
        {
            return new SeenAnswer(GenerationState.Failed, "", [], "", null, ex.Message);
        }
        catch (Exception ex) when (ex is TaskCanceledException or InvalidOperationException && hub.State != HubConnectionState.Connected)
        {
            // The hub closes a connection whose access ended, so the refusal may not arrive before the close.
            return new SeenAnswer(GenerationState.Failed, "", [], "", null, ConnectionClosed);
        }

        var final = await recorder.Completed;
        return new SeenAnswer(final.State, final.Content, [.. (final.PolicyActions ?? []).Select(a => a.Description)], recorder.Text, final.Error, null,
            started.UserText, [.. (started.InputActions ?? []).Select(a => a.Description)], final.Draft is not null && final.Critique is not null);
    }

    /// <summary>The chat page rendered with the running portal's services, signed in as the member: the person types and presses Send.</summary>
    private static async Task<SeenAnswer> SendThroughPageAsync(ChatApp app, PolicyTenant tenant, string text, Func<Task>? beforeSend)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        await using var page = new ChatPageHost(scope.ServiceProvider);
        page.SignInAs(new PortalSession(tenant.Member.User.Id, tenant.Member.User.DisplayName, false,
            new ActiveTenant(tenant.TenantId, tenant.TenantName, TenantRoles.Member), [], PortalSession.LocalSignIn));
        var cut = page.Render<ChatPage>(p => p.Add(c => c.ConversationId, tenant.ConversationId));
        // The heading says "New chat" from the first render; the conversation is open once it shows its title.
        var title = await app.Factory.QueryAsync(db => db.Conversations.Where(c => c.Id == tenant.ConversationId).Select(c => c.Title).SingleAsync(Cancel));
        cut.WaitForAssertion(() => Assert.Equal(title, cut.Find("[data-testid=conversation-heading]").TextContent.Trim()), TimeSpan.FromSeconds(30));
        if (beforeSend is not null)
        {
            await beforeSend();
        }

        cut.Find("textarea").Input(text);
        cut.Find("button[data-testid=send]").Click();
        IElement? answer = null;
        cut.WaitForAssertion(
            () =>
            {
                if (cut.FindAll("[data-testid=notice]").Count > 0)
                {
                    return;
                }

                var answers = cut.FindAll("[data-testid=message][data-role=assistant]");
                answer = answers.Count > 0 ? answers[^1] : null;
                Assert.NotNull(answer);
                Assert.Empty(answer.QuerySelectorAll("[data-testid=state][data-state=queued], [data-testid=state][data-state=thinking], [data-testid=state][data-state=streaming], [data-testid=state][data-state=checking], [data-testid=state][data-state=revising]"));
                Assert.NotNull(answer.QuerySelector("[data-testid=figures]"));
            },
            TimeSpan.FromMinutes(2));
        if (cut.FindAll("[data-testid=notice]") is { Count: > 0 } notices)
        {
            return new SeenAnswer(GenerationState.Failed, "", [], "", null, notices[0].TextContent.Trim());
        }

        answer = cut.FindAll("[data-testid=message][data-role=assistant]")[^1];
        var state = answer.QuerySelector("[data-testid=state]")?.GetAttribute("data-state") is { } s ? Enum.Parse<GenerationState>(s, ignoreCase: true) : GenerationState.Completed;
        var content = answer.QuerySelector("[data-testid=content]")!.TextContent;
        var actions = answer.QuerySelectorAll("[data-testid=policy-action]").Select(a => a.TextContent.Trim()).ToList();
        var error = answer.QuerySelector("[data-testid=error]")?.TextContent.Trim();
        var question = cut.FindAll("[data-testid=message][data-role=user]")[^1];
        return new SeenAnswer(state, content, actions, content, error, null,
            question.QuerySelector("[data-testid=content]")!.TextContent, [.. question.QuerySelectorAll("[data-testid=policy-action]").Select(a => a.TextContent.Trim())],
            answer.QuerySelector("[data-testid=self-check]") is not null);
    }

    /// <summary>bUnit with the portal's real services behind it (a scope of the running app).</summary>
    private sealed class ChatPageHost : BunitTest
    {
        public ChatPageHost(IServiceProvider portal)
        {
            Services.AddFallbackServiceProvider(portal);
        }

        public void SignInAs(PortalSession session) => SignIn(session);
    }
}
