using System.Globalization;

namespace Portal.Inference.Gguf;

// The member names mirror the type names of the GGUF specification.
#pragma warning disable CA1720
/// <summary>
/// One metadata value: a scalar (boxed .NET primitive), a string, or a <see cref="GgufArray"/>.
/// The .NET type always matches <see cref="Type"/> (UInt32 holds a <see cref="uint"/>, ...).
/// </summary>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, object value)
    {
        Type = type;
        Value = value;
    }

    public GgufValueType Type { get; }

    public object Value { get; }

    public static GgufValue UInt8(byte value) => new(GgufValueType.UInt8, value);
    public static GgufValue Int8(sbyte value) => new(GgufValueType.Int8, value);
    public static GgufValue UInt16(ushort value) => new(GgufValueType.UInt16, value);
    public static GgufValue Int16(short value) => new(GgufValueType.Int16, value);
    public static GgufValue UInt32(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Int32(int value) => new(GgufValueType.Int32, value);
    public static GgufValue Float32(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Bool(bool value) => new(GgufValueType.Bool, value);
    public static GgufValue String(string value) => new(GgufValueType.String, value);
    public static GgufValue UInt64(ulong value) => new(GgufValueType.UInt64, value);
    public static GgufValue Int64(long value) => new(GgufValueType.Int64, value);
    public static GgufValue Float64(double value) => new(GgufValueType.Float64, value);
    public static GgufValue Array(GgufArray value) => new(GgufValueType.Array, value);

    public static GgufValue StringArray(IReadOnlyList<string> items) => Array(new GgufArray(GgufValueType.String, items.ToArray()));
    public static GgufValue Float32Array(IReadOnlyList<float> items) => Array(new GgufArray(GgufValueType.Float32, items.ToArray()));
    public static GgufValue Int32Array(IReadOnlyList<int> items) => Array(new GgufArray(GgufValueType.Int32, items.ToArray()));

    /// <summary>The value when it is a string, else null.</summary>
    public string? AsString() => Value as string;

    /// <summary>The value when it is an array, else null.</summary>
    public GgufArray? AsArray() => Value as GgufArray;

    /// <summary>The value as a signed 64-bit integer when it is an integer type that fits, else null.</summary>
    public long? AsInt64() => Value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => null,
    };

    /// <summary>The value as a double when it is a floating-point type, else null.</summary>
    public double? AsDouble() => Value switch
    {
        float v => v,
        double v => v,
        _ => null,
    };

    public override string ToString() => Value switch
    {
        GgufArray array => $"[{array.ElementType} x {array.Count}]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };
}
