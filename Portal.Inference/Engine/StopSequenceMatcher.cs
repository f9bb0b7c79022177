namespace Portal.Inference.Engine;

/// <summary>
/// Finds stop sequences in streamed text. Text that could still turn into a stop sequence is held
/// back, so a stop sequence never reaches the caller, not even its first half.
/// </summary>
internal sealed class StopSequenceMatcher(IReadOnlyList<string> stopSequences)
{
    private readonly string[] stops = [.. stopSequences.Where(s => s.Length > 0)];
    private string pending = string.Empty;

    /// <summary>Adds text; returns what may be shown and whether a stop sequence ended the answer.</summary>
    public (string Text, bool Stopped) Push(string text)
    {
        if (stops.Length == 0)
        {
            return (text, false);
        }

        var buffer = pending + text;
        var first = -1;
        foreach (var stop in stops)
        {
            var at = buffer.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
            }
        }

        if (first >= 0)
        {
            pending = string.Empty;
            return (buffer[..first], true);
        }

        var hold = stops.Max(stop => LongestPrefixAtEnd(buffer, stop));
        pending = buffer[^hold..];
        return (buffer[..^hold], false);
    }

    /// <summary>The held-back text, when the answer ends for another reason.</summary>
    public string Flush()
    {
        var rest = pending;
        pending = string.Empty;
        return rest;
    }

    private static int LongestPrefixAtEnd(string text, string stop)
    {
        for (var length = Math.Min(stop.Length - 1, text.Length); length > 0; length--)
        {
            if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }
}
