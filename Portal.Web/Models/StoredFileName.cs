using System.Text;

namespace Portal.Web.Models;

/// <summary>
/// The name a model file gets in the models folder: readable letters of the client's name, then the
/// upload's id, then ".gguf". Separators, dots and anything else from the client are dropped, so
/// "../../etc/passwd" or "C:\x" can only ever name a file inside the folder.
/// </summary>
public static class StoredFileName
{
    private const int MaxStemLength = 64;

    public static string For(string? clientFileName, Guid uploadId) =>
        $"{SafeStem(clientFileName)}-{uploadId.ToString("N")[..12]}{ModelFolder.ModelExtension}";

    /// <summary>The last path segment of the client's name without its extension, reduced to [A-Za-z0-9_-].</summary>
    public static string SafeStem(string? clientFileName)
    {
        var name = clientFileName ?? "";
        var lastSeparator = name.LastIndexOfAny(['/', '\\', ':']);
        name = name[(lastSeparator + 1)..];
        if (name.EndsWith(ModelFolder.ModelExtension, StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^ModelFolder.ModelExtension.Length];
        }

        var stem = new StringBuilder(Math.Min(name.Length, MaxStemLength));
        foreach (var c in name)
        {
            if (stem.Length == MaxStemLength)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                stem.Append(c);
            }
            else if (c is '.' or ' ' && stem.Length > 0 && stem[^1] != '-')
            {
                stem.Append('-');
            }
        }

        var result = stem.ToString().Trim('-');
        return result.Length == 0 ? "model" : result;
    }
}
