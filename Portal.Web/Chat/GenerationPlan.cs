using Portal.Domain.Policies;
using Portal.Inference.Engine;
using Portal.Web.Accounting;

namespace Portal.Web.Chat;

/// <summary>
/// What the pipeline's first stages decided: the request to run (null when refused), the policy
/// version acting on it, the question as the model reads it, and what the input policy did.
/// </summary>
internal sealed record GenerationPlan(
    TenantPolicy? Policy,
    GenerationRequest? Request,
    TrimmedHistory? History,
    QuotaTicket? Ticket,
    string QuestionText,
    Guid? QuestionId,
    IReadOnlyList<PolicyAction> InputActions,
    PolicyAction? Refusal,
    bool Store);

/// <summary>One answer's passes as they run: the frames sent so far and the next frame number.</summary>
internal sealed class AnswerRun(ActiveGeneration generation, GenerationPlan plan)
{
    public ActiveGeneration Generation { get; } = generation;

    public GenerationPlan Plan { get; } = plan;

    public int Frames { get; set; }

    public int Sequence { get; set; }

    /// <summary>The quota reservation, grown before each self-check pass.</summary>
    public QuotaTicket? Ticket { get; set; } = plan.Ticket;
}

/// <summary>One pass of the model: its text after the output rules, and its outcome.</summary>
internal sealed record PassResult(string Text, GenerationResult Result);
