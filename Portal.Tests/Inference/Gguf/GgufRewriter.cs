using Portal.Inference.Gguf;

namespace Portal.Tests.Inference.Gguf;

/// <summary>
/// Builds a variant of the tiny model through <see cref="GgufWriter"/>: its metadata and tensor
/// declarations edited, tensor data written as zeros (the validator never reads it).
/// </summary>
internal static class GgufRewriter
{
    public static byte[] Rewrite(
        Action<List<KeyValuePair<string, GgufValue>>>? editMetadata = null,
        Action<List<(string Name, GgmlType Type, ulong[] Shape)>>? editTensors = null)
    {
        var header = GgufHeaderReader.Read(new MemoryStream(TinyModelBytes.Copy()));
        var metadata = header.MetadataEntries.ToList();
        var tensors = header.Tensors.Select(t => (t.Name, t.Type, Shape: t.Shape.ToArray())).ToList();
        editMetadata?.Invoke(metadata);
        editTensors?.Invoke(tensors);

        using var output = new MemoryStream();
        using (var writer = new GgufWriter(output, leaveOpen: true))
        {
            foreach (var (key, value) in metadata)
            {
                writer.AddMetadata(key, value);
            }

            foreach (var (name, type, shape) in tensors)
            {
                writer.AddTensor(name, type, shape);
            }

            writer.WriteHeader();
            foreach (var tensor in writer.Tensors)
            {
                writer.WriteTensorData(new byte[tensor.ByteSize]);
            }

            writer.Finish();
        }

        return output.ToArray();
    }

    public static void Replace(this List<KeyValuePair<string, GgufValue>> metadata, string key, GgufValue value)
    {
        var index = metadata.FindIndex(e => e.Key == key);
        Assert.True(index >= 0, $"'{key}' not in the tiny model.");
        metadata[index] = new(key, value);
    }

    public static void Remove(this List<KeyValuePair<string, GgufValue>> metadata, string key) =>
        Assert.Equal(1, metadata.RemoveAll(e => e.Key == key));
}
