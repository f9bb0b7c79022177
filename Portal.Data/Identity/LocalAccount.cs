using Microsoft.AspNetCore.Identity;

namespace Portal.Data;

/// <summary>
/// The credential record of a person with a local account (ASP.NET Core Identity). Its
/// <see cref="IdentityUser{TKey}.Id"/> is the domain <see cref="Portal.Domain.Tenants.User.Id"/>;
/// the database enforces it with a foreign key, so add the <c>User</c> first (or in the same save).
/// </summary>
public sealed class LocalAccount : IdentityUser<Guid>
{
}
