using Portal.Domain.Policies;
using Portal.Web.Audit;

namespace Portal.Web.Policies;

/// <summary>How a policy action is written to the audit log: the action's name, the policy and version, what it acted on.</summary>
public static class PolicyAudit
{
    public static AuditEntry Entry(Guid? actorUserId, Guid tenantId, string target, PolicyAction action, Guid? conversationId, Guid? messageId)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new AuditEntry(
            action.AuditAction,
            actorUserId,
            target,
            After: new { policy = action.PolicyName, version = action.PolicyVersion, detail = action.Detail, conversationId, messageId },
            TenantId: tenantId);
    }
}
