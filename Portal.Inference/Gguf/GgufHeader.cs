namespace Portal.Inference.Gguf;

/// <summary>
/// What a GGUF file declares before its tensor data: metadata (in file order) and tensor infos,
/// with the alignment and the absolute offset of the data section.
/// </summary>
public sealed record GgufHeader(
    uint Version,
    IReadOnlyList<KeyValuePair<string, GgufValue>> MetadataEntries,
    IReadOnlyList<GgufTensorInfo> Tensors,
    uint Alignment,
    long DataOffset,
    long FileLength)
{
    // Built on first use for the current entries, so a copy made with `with` never sees a stale index.
    private (IReadOnlyList<KeyValuePair<string, GgufValue>> Source, Dictionary<string, GgufValue> Index)? _index;

    public IReadOnlyDictionary<string, GgufValue> Metadata
    {
        get
        {
            if (_index is not { } cached || !ReferenceEquals(cached.Source, MetadataEntries))
            {
                var index = new Dictionary<string, GgufValue>(StringComparer.Ordinal);
                foreach (var (key, value) in MetadataEntries)
                {
                    index.TryAdd(key, value);
                }

                cached = (MetadataEntries, index);
                _index = cached;
            }

            return cached.Index;
        }
    }

    public GgufValue? Get(string key) => Metadata.GetValueOrDefault(key);

    public string? GetString(string key) => Get(key)?.AsString();
}
