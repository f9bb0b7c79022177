using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Domain.Policies;

/// <summary>What <see cref="PiiRedactor"/> did: the text with values replaced, and the kinds found (never the values).</summary>
public sealed record RedactionResult(string Text, IReadOnlyList<string> Kinds)
{
    public bool Redacted => Kinds.Count > 0;
}

/// <summary>
/// Local redaction of personal data: IBANs (mod-97 checksum), payment card numbers (Luhn), e-mail
/// addresses, phone numbers and admin-defined patterns. Number look-alikes that fail their checksum
/// stay as written. Each value becomes "[kind]", so a person sees what kind was removed.
/// </summary>
public sealed class PiiRedactor
{
    public const string Email = "e-mail";
    public const string Phone = "phone";
    public const string Iban = "IBAN";
    public const string Card = "payment card";

    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    // Two letters, two check digits, then 11 to 30 letters or digits, optionally in groups of four.
    private static readonly Regex IbanCandidate = new(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", RegexOptions.CultureInvariant, Timeout);

    // 13 to 19 digits, optionally split by single spaces or dashes; not the digits of an IBAN-shaped
    // text ("DE89 3704 ...") whose checksum failed, which stays as written.
    private static readonly Regex CardCandidate = new(@"(?<![\w-])(?<!\b[A-Z]{2}\d{2} )\d(?:[ -]?\d){12,18}(?![\w-])", RegexOptions.CultureInvariant, Timeout);

    private static readonly Regex EmailPattern = new(@"\b[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout);

    // An optional +country code, an optional (area), then groups of digits; 9 to 15 digits in all,
    // or 7 to 15 after a "+", so dates and short numbers are left alone.
    private static readonly Regex PhoneCandidate = new(@"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,5}(?:[ .-]?\d{2,5}){1,5}(?!\w)", RegexOptions.CultureInvariant, Timeout);

    private readonly IReadOnlyList<(string Name, Regex Pattern)> custom;

    /// <param name="customPatterns">Admin-defined kinds; each is checked with a timeout.</param>
    public PiiRedactor(IEnumerable<PiiPattern>? customPatterns = null)
    {
        custom = [.. (customPatterns ?? []).Select(p => (p.Name, new Regex(p.Pattern, RegexOptions.CultureInvariant, Timeout)))];
    }

    /// <param name="text">The prompt.</param>
    /// <param name="builtIn">False applies only the admin-defined patterns.</param>
    public RedactionResult Redact(string text, bool builtIn = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var kinds = new List<string>();
        if (builtIn)
        {
            text = Replace(text, IbanCandidate, Iban, kinds, ValidIbanLength);
            text = Replace(text, CardCandidate, Card, kinds, value => PassesLuhn(value) ? value.Length : 0);
            text = Replace(text, EmailPattern, Email, kinds, value => value.Length);
            text = Replace(text, PhoneCandidate, Phone, kinds, PhoneLength);
        }

        foreach (var (name, pattern) in custom)
        {
            text = Replace(text, pattern, name, kinds, value => value.Length);
        }

        return new RedactionResult(text, kinds);
    }

    /// <summary>Replaces each match's accepted prefix (<paramref name="accept"/> gives its length; 0 keeps the match).</summary>
    private static string Replace(string text, Regex pattern, string kind, List<string> kinds, Func<string, int> accept)
    {
        var result = new StringBuilder();
        var at = 0;
        foreach (Match match in pattern.Matches(text))
        {
            var length = accept(match.Value);
            if (length == 0)
            {
                continue;
            }

            result.Append(text, at, match.Index - at).Append('[').Append(kind).Append(']');
            at = match.Index + length;
            if (!kinds.Contains(kind))
            {
                kinds.Add(kind);
            }
        }

        return at == 0 ? text : result.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>The length of the longest prefix that is an IBAN with a valid checksum (a following word in capitals may have been taken in), or 0.</summary>
    private static int ValidIbanLength(string candidate)
    {
        for (var end = candidate.Length; end >= 15; end--)
        {
            if (char.IsLetterOrDigit(candidate[end - 1]) && (end == candidate.Length || candidate[end] == ' ') && IsValidIban(candidate[..end].Replace(" ", "", StringComparison.Ordinal)))
            {
                return end;
            }
        }

        return 0;
    }

    /// <summary>ISO 13616: move the first four characters to the end, letters to 10..35, and the number mod 97 is 1.</summary>
    public static bool IsValidIban(string compact)
    {
        ArgumentNullException.ThrowIfNull(compact);
        if (compact.Length is < 15 or > 34)
        {
            return false;
        }

        var remainder = 0;
        foreach (var c in compact[4..] + compact[..4])
        {
            var value = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => -1,
            };
            if (value < 0)
            {
                return false;
            }

            remainder = value >= 10 ? ((remainder * 100) + value) % 97 : ((remainder * 10) + value) % 97;
        }

        return remainder == 1;
    }

    public static bool PassesLuhn(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        var digits = number.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[^(i + 1)];
            if (i % 2 == 1)
            {
                digit = digit * 2 > 9 ? (digit * 2) - 9 : digit * 2;
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }

    private static int PhoneLength(string candidate)
    {
        var digits = candidate.Count(char.IsAsciiDigit);
        var international = candidate.StartsWith('+');
        return digits <= 15 && (digits >= 9 || (international && digits >= 7)) ? candidate.Length : 0;
    }
}
