namespace Portal.Web.Accounting;

/// <summary>One pool of the <see cref="AdmissionGate"/> at a moment: a loaded model's slots, the generations running and those waiting.</summary>
public sealed record AdmissionPoolState(Guid PoolKey, int Slots, int Running, int Waiting);
