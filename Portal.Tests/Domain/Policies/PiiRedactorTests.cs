using Portal.Domain.Policies;

namespace Portal.Tests.Domain.Policies;

public sealed class PiiRedactorTests
{
    private readonly PiiRedactor redactor = new();

    [Theory]
    [InlineData("Mail jane.doe+work@example.co.uk today", "Mail [e-mail] today", PiiRedactor.Email)]
    [InlineData("Call +49 30 1234567 now", "Call [phone] now", PiiRedactor.Phone)]
    [InlineData("Call (030) 123-45678 now", "Call [phone] now", PiiRedactor.Phone)]
    [InlineData("Pay to DE89 3704 0044 0532 0130 00 please", "Pay to [IBAN] please", PiiRedactor.Iban)]
    [InlineData("Pay to GB82WEST12345698765432.", "Pay to [IBAN].", PiiRedactor.Iban)]
    [InlineData("Card 4111 1111 1111 1111 exp 12/29", "Card [payment card] exp 12/29", PiiRedactor.Card)]
    [InlineData("Card 5500-0000-0000-0004.", "Card [payment card].", PiiRedactor.Card)]
    public void EachPattern_IsReplacedByItsKind(string text, string expected, string kind)
    {
        var result = redactor.Redact(text);

        Assert.Equal(expected, result.Text);
        Assert.Equal([kind], result.Kinds);
    }

    [Theory]
    [InlineData("Card 4111 1111 1111 1112 fails Luhn")]
    [InlineData("Order 1234567890123456 is a number")]
    [InlineData("IBAN look-alike DE89 3704 0044 0532 0130 01 fails mod 97")]
    [InlineData("GB82WEST12345698765431 fails too")]
    [InlineData("On 2026-11-30 at 10:30, 42 people came")]
    [InlineData("no at sign: jane.doe.example.com")]
    public void LookAlikes_AreLeftAsWritten(string text)
    {
        var result = redactor.Redact(text);

        Assert.Equal(text, result.Text);
        Assert.Empty(result.Kinds);
    }

    [Fact]
    public void AdminPatterns_AreRedactedByTheirName_AndSeveralKindsAreListedOnce()
    {
        var custom = new PiiRedactor([new PiiPattern("employee id", @"EMP-\d{6}")]);

        var result = custom.Redact("EMP-123456 and EMP-654321 wrote to a@b.io");

        Assert.Equal("[employee id] and [employee id] wrote to [e-mail]", result.Text);
        Assert.Equal([PiiRedactor.Email, "employee id"], result.Kinds);
    }

    [Fact]
    public void BuiltInsOff_OnlyAdminPatternsApply()
    {
        var custom = new PiiRedactor([new PiiPattern("employee id", @"EMP-\d{6}")]);

        var result = custom.Redact("EMP-123456 wrote to a@b.io", builtIn: false);

        Assert.Equal("[employee id] wrote to a@b.io", result.Text);
    }

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("79927398713", false)] // valid Luhn, but too short for a card
    public void Luhn(string number, bool valid) => Assert.Equal(valid, PiiRedactor.PassesLuhn(number));

    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("DE89370400440532013001", false)]
    [InlineData("NL91ABNA0417164300", true)]
    [InlineData("NL91ABNA0417164301", false)]
    public void IbanChecksum(string iban, bool valid) => Assert.Equal(valid, PiiRedactor.IsValidIban(iban));
}
