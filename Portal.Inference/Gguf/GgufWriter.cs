using System.Buffers.Binary;
using System.Text;

namespace Portal.Inference.Gguf;

/// <summary>
/// Writes a GGUF (version 3, little-endian) file to a stream without holding tensor data in memory:
/// declare metadata and tensors, call <see cref="WriteHeader"/>, then stream each tensor's bytes in
/// declaration order through <see cref="WriteTensorData"/>, and end with <see cref="Finish"/>.
/// </summary>
public sealed class GgufWriter : IDisposable
{
    public const uint DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<GgufTensorInfo> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);
    private readonly byte[] _scratch = new byte[16];
    private WriterState _state = WriterState.Declaring;
    private ulong _nextOffset;
    private long _written;
    private int _currentTensor;
    private ulong _writtenInCurrentTensor;

    /// <param name="output">Destination; written sequentially, need not be seekable.</param>
    /// <param name="alignment">Alignment of tensor data (power of two). A value other than 32 is also
    /// written as <c>general.alignment</c> unless that key is added explicitly.</param>
    /// <param name="leaveOpen">Leave <paramref name="output"/> open on dispose.</param>
    public GgufWriter(Stream output, uint alignment = DefaultAlignment, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "Alignment must be a power of two.");
        }

        _output = output;
        _leaveOpen = leaveOpen;
        Alignment = alignment;
    }

    private enum WriterState
    {
        Declaring,
        WritingData,
        Finished,
    }

    public uint Alignment { get; }

    /// <summary>Tensors declared so far, with the offsets their data will have in the data section.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors => _tensors;

    public void AddMetadata(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        EnsureState(WriterState.Declaring);
        if (value.Value is GgufArray { ElementType: GgufValueType.Array })
        {
            throw new ArgumentException("GGUF has no nested arrays.", nameof(value));
        }

        if (!_keys.Add(key))
        {
            throw new ArgumentException($"Metadata key '{key}' was already added.", nameof(key));
        }

        _metadata.Add(new(key, value));
    }

    public void AddString(string key, string value) => AddMetadata(key, GgufValue.String(value));
    public void AddUInt32(string key, uint value) => AddMetadata(key, GgufValue.UInt32(value));
    public void AddInt32(string key, int value) => AddMetadata(key, GgufValue.Int32(value));
    public void AddUInt64(string key, ulong value) => AddMetadata(key, GgufValue.UInt64(value));
    public void AddFloat32(string key, float value) => AddMetadata(key, GgufValue.Float32(value));
    public void AddBool(string key, bool value) => AddMetadata(key, GgufValue.Bool(value));

    /// <summary>Declares a tensor; <paramref name="shape"/> lists ne0 (the row length) first.</summary>
    public GgufTensorInfo AddTensor(string name, GgmlType type, params ulong[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        EnsureState(WriterState.Declaring);
        if (shape.Length is < 1 or > GgufLimits.MaxDimensions || shape.Any(d => d == 0))
        {
            throw new ArgumentException($"Tensor '{name}' needs 1 to {GgufLimits.MaxDimensions} dimensions, each above zero.", nameof(shape));
        }

        if (Encoding.UTF8.GetByteCount(name) >= GgufLimits.MaxTensorNameBytes)
        {
            throw new ArgumentException($"Tensor name '{name}' is longer than {GgufLimits.MaxTensorNameBytes - 1} bytes.", nameof(name));
        }

        if (!_tensorNames.Add(name))
        {
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
        }

        var size = GgmlTypeTraits.ByteSize(type, shape);
        var info = new GgufTensorInfo(name, type, [.. shape], _nextOffset, size);
        _tensors.Add(info);
        _nextOffset = AlignUp(_nextOffset + size, Alignment);
        return info;
    }

    /// <summary>Writes the header, metadata, tensor infos and the padding before the data section.</summary>
    public void WriteHeader()
    {
        EnsureState(WriterState.Declaring);
        if (Alignment != DefaultAlignment && !_keys.Contains(AlignmentKey))
        {
            AddUInt32(AlignmentKey, Alignment);
        }

        WriteRaw("GGUF"u8);
        WriteUInt32(3);
        WriteUInt64((ulong)_tensors.Count);
        WriteUInt64((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(key);
            WriteUInt32((uint)value.Type);
            WriteValue(value);
        }

        foreach (var tensor in _tensors)
        {
            WriteString(tensor.Name);
            WriteUInt32((uint)tensor.Shape.Count);
            foreach (var dim in tensor.Shape)
            {
                WriteUInt64(dim);
            }

            WriteUInt32((uint)tensor.Type);
            WriteUInt64(tensor.Offset);
        }

        WritePadding();
        _state = WriterState.WritingData;
        _currentTensor = 0;
        _writtenInCurrentTensor = 0;
    }

    /// <summary>
    /// Appends bytes of the current tensor (tensors in declaration order). A chunk never spans two
    /// tensors; after a tensor's last byte the padding to the next one is written.
    /// </summary>
    public void WriteTensorData(ReadOnlySpan<byte> bytes)
    {
        EnsureState(WriterState.WritingData);
        if (_currentTensor >= _tensors.Count)
        {
            throw new InvalidOperationException("All declared tensors have been written.");
        }

        var tensor = _tensors[_currentTensor];
        if ((ulong)bytes.Length > tensor.ByteSize - _writtenInCurrentTensor)
        {
            throw new ArgumentException($"Chunk of {bytes.Length} bytes runs past the end of tensor '{tensor.Name}' ({tensor.ByteSize - _writtenInCurrentTensor} bytes left).", nameof(bytes));
        }

        WriteRaw(bytes);
        _writtenInCurrentTensor += (ulong)bytes.Length;
        if (_writtenInCurrentTensor == tensor.ByteSize)
        {
            WritePadding();
            _currentTensor++;
            _writtenInCurrentTensor = 0;
        }
    }

    /// <summary>Checks that every tensor's data was written and flushes the stream.</summary>
    public void Finish()
    {
        if (_state == WriterState.Declaring)
        {
            WriteHeader();
        }

        EnsureState(WriterState.WritingData);
        if (_currentTensor != _tensors.Count)
        {
            throw new InvalidOperationException($"Tensor '{_tensors[_currentTensor].Name}' and those after it have not been written.");
        }

        _output.Flush();
        _state = WriterState.Finished;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _output.Dispose();
        }
    }

    internal static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;

    private void EnsureState(WriterState expected)
    {
        if (_state != expected)
        {
            throw new InvalidOperationException($"The writer is in state {_state}; this call needs {expected}.");
        }
    }

    private void WriteValue(GgufValue value)
    {
        if (value.Value is GgufArray array)
        {
            WriteUInt32((uint)array.ElementType);
            WriteUInt64((ulong)array.Count);
            foreach (var item in array.Items)
            {
                WriteScalar(array.ElementType, item!);
            }

            return;
        }

        WriteScalar(value.Type, value.Value);
    }

    private void WriteScalar(GgufValueType type, object value)
    {
        var s = _scratch.AsSpan();
        switch (type)
        {
            case GgufValueType.UInt8: s[0] = (byte)value; WriteRaw(s[..1]); break;
            case GgufValueType.Int8: s[0] = unchecked((byte)(sbyte)value); WriteRaw(s[..1]); break;
            case GgufValueType.Bool: s[0] = (bool)value ? (byte)1 : (byte)0; WriteRaw(s[..1]); break;
            case GgufValueType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)value); WriteRaw(s[..2]); break;
            case GgufValueType.Int16: BinaryPrimitives.WriteInt16LittleEndian(s, (short)value); WriteRaw(s[..2]); break;
            case GgufValueType.UInt32: WriteUInt32((uint)value); break;
            case GgufValueType.Int32: BinaryPrimitives.WriteInt32LittleEndian(s, (int)value); WriteRaw(s[..4]); break;
            case GgufValueType.Float32: BinaryPrimitives.WriteSingleLittleEndian(s, (float)value); WriteRaw(s[..4]); break;
            case GgufValueType.UInt64: WriteUInt64((ulong)value); break;
            case GgufValueType.Int64: BinaryPrimitives.WriteInt64LittleEndian(s, (long)value); WriteRaw(s[..8]); break;
            case GgufValueType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(s, (double)value); WriteRaw(s[..8]); break;
            case GgufValueType.String: WriteString((string)value); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "Not a scalar GGUF type.");
        }
    }

    private void WriteString(string value)
    {
        var bytes = StrictUtf8.GetBytes(value);
        WriteUInt64((ulong)bytes.Length);
        WriteRaw(bytes);
    }

    private void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_scratch, value);
        WriteRaw(_scratch.AsSpan(0, 4));
    }

    private void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_scratch, value);
        WriteRaw(_scratch.AsSpan(0, 8));
    }

    private void WritePadding()
    {
        var padding = (int)(AlignUp((ulong)_written, Alignment) - (ulong)_written);
        if (padding > 0)
        {
            Span<byte> zeros = stackalloc byte[Math.Min(padding, 256)];
            zeros.Clear();
            while (padding > 0)
            {
                var n = Math.Min(padding, zeros.Length);
                WriteRaw(zeros[..n]);
                padding -= n;
            }
        }
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _written += bytes.Length;
    }
}
