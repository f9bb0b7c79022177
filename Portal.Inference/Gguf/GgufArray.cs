namespace Portal.Inference.Gguf;

/// <summary>
/// A metadata array: one element type (never <see cref="GgufValueType.Array"/>; GGUF has no nested arrays)
/// and a typed .NET array of the items (<c>string[]</c>, <c>float[]</c>, <c>int[]</c>, ...).
/// </summary>
public sealed record GgufArray(GgufValueType ElementType, System.Array Items)
{
    public int Count => Items.Length;
}
