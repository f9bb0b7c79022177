namespace Portal.Web.Models;

/// <summary>
/// The models folder and its upload area. Every path inside it is built here from names the portal
/// chose itself; a client's file name never becomes a path.
/// </summary>
public sealed class ModelFolder(ModelCatalog catalog)
{
    public const string ModelExtension = ".gguf";

    private const string UploadFolderName = ".uploads";

    /// <summary>The catalog's models folder (<c>Portal:Models:Folder</c>).</summary>
    public string Path => catalog.ModelsFolder;

    /// <summary>Temporary files of uploads in progress: inside the models folder, so completing one is a rename on one disk.</summary>
    public string UploadsPath => System.IO.Path.Combine(Path, UploadFolderName);

    public string PathOf(string storedFileName)
    {
        if (storedFileName != System.IO.Path.GetFileName(storedFileName) || storedFileName is "" or "." or "..")
        {
            throw new ArgumentException($"'{storedFileName}' is not a plain file name.", nameof(storedFileName));
        }

        return System.IO.Path.Combine(Path, storedFileName);
    }

    public string PartialFileOf(Guid uploadId) => System.IO.Path.Combine(UploadsPath, uploadId.ToString("N") + ".part");

    public string StateFileOf(Guid uploadId) => System.IO.Path.Combine(UploadsPath, uploadId.ToString("N") + ".json");

    public void EnsureExists() => Directory.CreateDirectory(UploadsPath);

    /// <summary>The GGUF files directly in the folder (not the upload area).</summary>
    public IEnumerable<string> ModelFiles() =>
        Directory.Exists(Path)
            ? Directory.EnumerateFiles(Path, "*" + ModelExtension, SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal)
            : [];
}
