using System.Text;
using Portal.Domain.Audit;

namespace Portal.Tests.Domain.Audit;

/// <summary>The bytes an audit hash covers: fixed field order, invariant formats, unambiguous lengths.</summary>
public sealed class AuditEventCanonicalFormTests
{
    private static AuditEvent Entry() => new()
    {
        ChainId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        Sequence = 42,
        TenantId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        ActorUserId = null,
        Action = "member.added",
        Target = "membership:7",
        Before = null,
        After = "{\"name\":\"Zoë\"}",
        OccurredAt = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(2)),
        PreviousHash = "ab",
    };

    [Fact]
    public void Serialize_Entry_IsTheDocumentedForm()
    {
        var text = Encoding.UTF8.GetString(AuditEventCanonicalForm.Serialize(Entry()));

        // The After value is 15 UTF-8 bytes for 14 characters: lengths count bytes. The instant is 08:00 UTC.
        Assert.Equal(
            "portal-audit-v1\n" +
            "chain:0f8fad5b-d9cb-469f-a165-70867728950e\n" +
            "sequence:42\n" +
            "tenant:0f8fad5b-d9cb-469f-a165-70867728950e\n" +
            "actor:-\n" +
            "action:12:member.added\n" +
            "target:12:membership:7\n" +
            "before:-\n" +
            "after:15:{\"name\":\"Zoë\"}\n" +
            $"occurred:{new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero).UtcTicks}\n" +
            "previous:ab\n",
            text);
    }

    [Fact]
    public void Hash_IsLowerCaseSha256OfTheForm()
    {
        var hash = AuditEventCanonicalForm.ComputeHash(Entry());

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(AuditEventCanonicalForm.Serialize(Entry()))), hash);
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public void Hash_NullAndEmptyDiffer_AndAValueCannotImitateTheNextField()
    {
        var withNull = Entry();
        var withEmpty = Entry();
        withEmpty.Before = "";
        var forged = Entry();
        forged.Target = "membership:7\nbefore:-";
        forged.Before = null;

        Assert.NotEqual(AuditEventCanonicalForm.ComputeHash(withNull), AuditEventCanonicalForm.ComputeHash(withEmpty));
        Assert.NotEqual(AuditEventCanonicalForm.ComputeHash(withNull), AuditEventCanonicalForm.ComputeHash(forged));
    }

    [Fact]
    public void Hash_SameInstantInAnyOffset_IsTheSame()
    {
        var local = Entry();
        var utc = Entry();
        utc.OccurredAt = local.OccurredAt.ToUniversalTime();

        Assert.Equal(AuditEventCanonicalForm.ComputeHash(local), AuditEventCanonicalForm.ComputeHash(utc));
    }

    [Fact]
    public void Truncate_DropsSubMicrosecondTicks_AndNormalisesToUtc()
    {
        var instant = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567);

        var truncated = AuditEventCanonicalForm.Truncate(instant);

        Assert.Equal(TimeSpan.Zero, truncated.Offset);
        Assert.Equal(instant.UtcTicks - 7, truncated.UtcTicks);
    }
}
