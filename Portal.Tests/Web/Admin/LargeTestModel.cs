using Portal.Inference.Gguf;
using Portal.Tests.Inference.Gguf;

namespace Portal.Tests.Web.Admin;

/// <summary>
/// A valid llama GGUF of about 2 GB written in a moment: the tiny model's vocabulary and metadata
/// with 3 layers of 4096-dim F32 weights declared, and the tensor data left as a sparse run of zeros
/// (the file is extended, never written). The validator accepts it; llama.cpp could load it.
/// </summary>
internal static class LargeTestModel
{
    private const ulong Embedding = 4096;
    private const ulong FeedForward = 8192;
    private const int Blocks = 3;
    private const int Heads = 32;

    public static long Write(string path)
    {
        var tiny = GgufHeaderReader.Read(new MemoryStream(TinyModelBytes.Copy()));
        var vocabulary = (ulong)tiny.Get(GgufValidator.TokensKey)!.AsArray()!.Count;
        var overrides = new Dictionary<string, GgufValue>
        {
            ["general.name"] = GgufValue.String("portal-large-sparse"),
            ["llama.embedding_length"] = GgufValue.UInt32((uint)Embedding),
            ["llama.feed_forward_length"] = GgufValue.UInt32((uint)FeedForward),
            ["llama.block_count"] = GgufValue.UInt32(Blocks),
            ["llama.attention.head_count"] = GgufValue.UInt32(Heads),
            ["llama.attention.head_count_kv"] = GgufValue.UInt32(Heads),
            ["llama.rope.dimension_count"] = GgufValue.UInt32((uint)Embedding / Heads),
        };

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var writer = new GgufWriter(file, leaveOpen: true);
        foreach (var (key, value) in tiny.MetadataEntries)
        {
            writer.AddMetadata(key, overrides.GetValueOrDefault(key, value));
        }

        writer.AddTensor("token_embd.weight", GgmlType.F32, Embedding, vocabulary);
        writer.AddTensor("output_norm.weight", GgmlType.F32, Embedding);
        writer.AddTensor("output.weight", GgmlType.F32, Embedding, vocabulary);
        for (var i = 0; i < Blocks; i++)
        {
            writer.AddTensor($"blk.{i}.attn_norm.weight", GgmlType.F32, Embedding);
            writer.AddTensor($"blk.{i}.attn_q.weight", GgmlType.F32, Embedding, Embedding);
            writer.AddTensor($"blk.{i}.attn_k.weight", GgmlType.F32, Embedding, Embedding);
            writer.AddTensor($"blk.{i}.attn_v.weight", GgmlType.F32, Embedding, Embedding);
            writer.AddTensor($"blk.{i}.attn_output.weight", GgmlType.F32, Embedding, Embedding);
            writer.AddTensor($"blk.{i}.ffn_norm.weight", GgmlType.F32, Embedding);
            writer.AddTensor($"blk.{i}.ffn_gate.weight", GgmlType.F32, Embedding, FeedForward);
            writer.AddTensor($"blk.{i}.ffn_up.weight", GgmlType.F32, Embedding, FeedForward);
            writer.AddTensor($"blk.{i}.ffn_down.weight", GgmlType.F32, FeedForward, Embedding);
        }

        writer.WriteHeader();
        var last = writer.Tensors[^1];
        var length = file.Position + (long)(last.Offset + last.ByteSize);
        file.SetLength(length);
        return length;
    }
}
