namespace Portal.Inference.Gguf;

// The member names mirror the type names of the GGUF specification.
#pragma warning disable CA1720
/// <summary>Metadata value types of the GGUF format (<c>enum gguf_type</c>).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}
