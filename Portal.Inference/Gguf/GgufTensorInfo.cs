namespace Portal.Inference.Gguf;

/// <summary>
/// One tensor of a GGUF file: its shape (ne0, the row length, first), type, offset relative to the
/// start of the data section, and byte size.
/// </summary>
public sealed record GgufTensorInfo(string Name, GgmlType Type, IReadOnlyList<ulong> Shape, ulong Offset, ulong ByteSize)
{
    /// <summary>Number of elements (product of the dimensions); callers check overflow before building one.</summary>
    public ulong ElementCount => Shape.Aggregate(1UL, (product, dim) => product * dim);
}
