namespace Portal.Web.Admin;

public enum AdminFailure
{
    /// <summary>Unknown, or belonging to a tenant the caller may not administer: the same answer for both.</summary>
    NotFound,

    /// <summary>A platform action asked for by someone who is not a platform administrator.</summary>
    Forbidden,

    /// <summary>Input that cannot be accepted; the message says why.</summary>
    Invalid,
}

/// <summary>An admin action refused, with a message for the person who asked.</summary>
public sealed class AdminException(AdminFailure failure, string message) : Exception(message)
{
    public AdminFailure Failure { get; } = failure;
}
