using System.Buffers.Binary;
using System.Text;

namespace Portal.Inference.Gguf;

/// <summary>
/// Parses the header region of a GGUF file (metadata and tensor infos) and nothing after it.
/// Every length and count is checked against the bytes left in the file and against
/// <see cref="GgufLimits"/> before anything is allocated for it; every refusal is a
/// <see cref="GgufValidationException"/> with its own <see cref="GgufError"/>.
/// </summary>
public static class GgufHeaderReader
{
    public const int FixedHeaderBytes = 4 + 4 + 8 + 8;

    // Smallest possible encodings, used to refuse counts the remaining bytes cannot hold.
    private const int MinMetadataEntryBytes = 8 + 1 + 4 + 1;
    private const int MinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the header of the file at <paramref name="path"/>.</summary>
    public static GgufHeader Read(string path, GgufReadLimits? limits = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(file, limits);
    }

    /// <summary>Reads the header from a seekable stream positioned anywhere; reads from its start.</summary>
    public static GgufHeader Read(Stream stream, GgufReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= GgufReadLimits.Default;
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("The stream must be readable and seekable (its length bounds every read).", nameof(stream));
        }

        stream.Position = 0;
        var reader = new BoundedReader(stream, limits);
        if (reader.Length < FixedHeaderBytes)
        {
            throw new GgufValidationException(GgufError.FileTooSmall, $"The file is {reader.Length} bytes, shorter than the {FixedHeaderBytes}-byte GGUF header (magic, version and counts).");
        }

        if (!reader.ReadBytes(4, "magic").SequenceEqual("GGUF"u8))
        {
            throw new GgufValidationException(GgufError.BadMagic, "The file does not start with the GGUF magic bytes \"GGUF\".");
        }

        var version = reader.ReadUInt32("version");
        if (version is not (2 or 3))
        {
            throw new GgufValidationException(GgufError.UnsupportedVersion, $"GGUF version {version} is not supported; only versions 2 and 3 are.");
        }

        var tensorCount = reader.ReadUInt64("tensor count");
        var metadataCount = reader.ReadUInt64("metadata count");
        if (tensorCount > GgufLimits.MaxTensorCount)
        {
            throw new GgufValidationException(GgufError.TensorCountTooLarge, $"The header declares {tensorCount} tensors; at most {GgufLimits.MaxTensorCount} are accepted.");
        }

        if (metadataCount > GgufLimits.MaxMetadataCount)
        {
            throw new GgufValidationException(GgufError.MetadataCountTooLarge, $"The header declares {metadataCount} metadata entries; at most {GgufLimits.MaxMetadataCount} are accepted.");
        }

        if (tensorCount * MinTensorInfoBytes + metadataCount * MinMetadataEntryBytes > (ulong)reader.Remaining)
        {
            throw new GgufValidationException(GgufError.Truncated, $"The header declares {metadataCount} metadata entries and {tensorCount} tensors, more than the remaining {reader.Remaining} bytes can hold: the file is truncated or the counts are wrong.");
        }

        var metadata = ReadMetadata(reader, (int)metadataCount);
        var alignment = ReadAlignment(metadata);
        var tensors = ReadTensorInfos(reader, (int)tensorCount);
        var dataOffset = (long)GgufWriter.AlignUp((ulong)reader.Position, alignment);
        return new GgufHeader(version, metadata, tensors, alignment, dataOffset, reader.Length);
    }

    private static List<KeyValuePair<string, GgufValue>> ReadMetadata(BoundedReader reader, int count)
    {
        var entries = new List<KeyValuePair<string, GgufValue>>(count);
        var arrayElements = 0UL;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = ReadString(reader, $"key of metadata entry {i}", isKey: true);
            if (!keys.Add(key))
            {
                throw new GgufValidationException(GgufError.DuplicateKey, $"Metadata key '{key}' appears twice.");
            }

            var type = reader.ReadUInt32($"type of '{key}'");
            entries.Add(new(key, ReadValue(reader, key, type, ref arrayElements)));
        }

        return entries;
    }

    private static GgufValue ReadValue(BoundedReader reader, string key, uint rawType, ref ulong arrayElements)
    {
        if (!Enum.IsDefined((GgufValueType)rawType))
        {
            throw new GgufValidationException(GgufError.UnknownValueType, $"Metadata '{key}' has unknown value type {rawType}.");
        }

        var type = (GgufValueType)rawType;
        if (type != GgufValueType.Array)
        {
            return ReadScalar(reader, key, type, $"value of '{key}'");
        }

        var rawElementType = reader.ReadUInt32($"element type of '{key}'");
        if (rawElementType == (uint)GgufValueType.Array)
        {
            throw new GgufValidationException(GgufError.NestedArray, $"Metadata '{key}' is an array of arrays, which GGUF does not allow.");
        }

        if (!Enum.IsDefined((GgufValueType)rawElementType))
        {
            throw new GgufValidationException(GgufError.UnknownValueType, $"Metadata array '{key}' has unknown element type {rawElementType}.");
        }

        var elementType = (GgufValueType)rawElementType;
        var count = reader.ReadUInt64($"element count of '{key}'");
        if (count > GgufLimits.MaxArrayElements)
        {
            throw new GgufValidationException(GgufError.ArrayTooLarge, $"Metadata array '{key}' declares {count} elements; at most {GgufLimits.MaxArrayElements} are accepted.");
        }

        arrayElements += count;
        if (arrayElements > reader.Limits.MaxTotalArrayElements)
        {
            throw new GgufValidationException(GgufError.ArrayTooLarge, $"Metadata array '{key}' brings the metadata arrays to {arrayElements} elements in total; at most {reader.Limits.MaxTotalArrayElements} are accepted.");
        }

        var minElementBytes = elementType == GgufValueType.String ? 8UL : (ulong)ScalarBytes(elementType);
        if (count * minElementBytes > (ulong)reader.Remaining)
        {
            throw new GgufValidationException(GgufError.ArrayLengthBeyondFile, $"Metadata array '{key}' declares {count} elements, more than the {reader.Remaining} bytes left in the file can hold.");
        }

        reader.EnsureWithinHeaderLimit(count * minElementBytes, $"array '{key}'");

        return GgufValue.Array(new GgufArray(elementType, ReadArrayItems(reader, key, elementType, (int)count)));
    }

    private static Array ReadArrayItems(BoundedReader reader, string key, GgufValueType type, int count)
    {
        // One description for all elements: formatting one per element would cost more than the parse.
        var what = $"an element of '{key}'";
        switch (type)
        {
            case GgufValueType.String:
                var strings = new string[count];
                for (var i = 0; i < count; i++)
                {
                    strings[i] = ReadString(reader, what, isKey: false);
                }

                return strings;
            case GgufValueType.Float32:
                return ReadPrimitives(reader, what, count, 4, b => BinaryPrimitives.ReadSingleLittleEndian(b));
            case GgufValueType.Int32:
                return ReadPrimitives(reader, what, count, 4, b => BinaryPrimitives.ReadInt32LittleEndian(b));
            case GgufValueType.UInt32:
                return ReadPrimitives(reader, what, count, 4, b => BinaryPrimitives.ReadUInt32LittleEndian(b));
            default:
                var items = new object[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = ReadScalar(reader, key, type, what).Value;
                }

                return items;
        }
    }

    private static T[] ReadPrimitives<T>(BoundedReader reader, string what, int count, int size, Func<ReadOnlySpan<byte>, T> parse)
    {
        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = parse(reader.ReadBytes(size, what));
        }

        return items;
    }

    private static GgufValue ReadScalar(BoundedReader reader, string key, GgufValueType type, string what)
    {
        return type switch
        {
            GgufValueType.UInt8 => GgufValue.UInt8(reader.ReadBytes(1, what)[0]),
            GgufValueType.Int8 => GgufValue.Int8(unchecked((sbyte)reader.ReadBytes(1, what)[0])),
            GgufValueType.Bool => GgufValue.Bool(reader.ReadBytes(1, what)[0] != 0),
            GgufValueType.UInt16 => GgufValue.UInt16(BinaryPrimitives.ReadUInt16LittleEndian(reader.ReadBytes(2, what))),
            GgufValueType.Int16 => GgufValue.Int16(BinaryPrimitives.ReadInt16LittleEndian(reader.ReadBytes(2, what))),
            GgufValueType.UInt32 => GgufValue.UInt32(reader.ReadUInt32(what)),
            GgufValueType.Int32 => GgufValue.Int32(BinaryPrimitives.ReadInt32LittleEndian(reader.ReadBytes(4, what))),
            GgufValueType.Float32 => GgufValue.Float32(BinaryPrimitives.ReadSingleLittleEndian(reader.ReadBytes(4, what))),
            GgufValueType.UInt64 => GgufValue.UInt64(reader.ReadUInt64(what)),
            GgufValueType.Int64 => GgufValue.Int64(BinaryPrimitives.ReadInt64LittleEndian(reader.ReadBytes(8, what))),
            GgufValueType.Float64 => GgufValue.Float64(BinaryPrimitives.ReadDoubleLittleEndian(reader.ReadBytes(8, what))),
            GgufValueType.String => GgufValue.String(ReadString(reader, what, isKey: false)),
            _ => throw new GgufValidationException(GgufError.UnknownValueType, $"Metadata '{key}' has unknown value type {(uint)type}."),
        };
    }

    private static int ScalarBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        _ => 8,
    };

    private static string ReadString(BoundedReader reader, string what, bool isKey)
    {
        var length = reader.ReadUInt64($"length of {what}");
        if (isKey && length == 0)
        {
            throw new GgufValidationException(GgufError.EmptyKey, $"The {what} is an empty string; metadata keys must not be empty.");
        }

        if (length > (ulong)reader.Remaining)
        {
            throw new GgufValidationException(GgufError.StringLengthBeyondFile, $"The {what} declares a string of {length} bytes, more than the {reader.Remaining} bytes left in the file.");
        }

        var cap = isKey ? GgufLimits.MaxKeyBytes : GgufLimits.MaxStringBytes;
        if (length > cap)
        {
            throw new GgufValidationException(GgufError.StringTooLong, $"The {what} declares a string of {length} bytes; at most {cap} are accepted.");
        }

        reader.EnsureWithinHeaderLimit(length, what);
        var bytes = reader.ReadBytes((int)length, what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new GgufValidationException(GgufError.InvalidUtf8, $"The {what} is not valid UTF-8.");
        }
    }

    private static uint ReadAlignment(List<KeyValuePair<string, GgufValue>> metadata)
    {
        var entry = metadata.Find(e => e.Key == GgufWriter.AlignmentKey);
        if (entry.Value is null)
        {
            return GgufWriter.DefaultAlignment;
        }

        if (entry.Value.Value is not uint alignment)
        {
            throw new GgufValidationException(GgufError.InvalidAlignment, $"'{GgufWriter.AlignmentKey}' is of type {entry.Value.Type}; it must be UInt32.");
        }

        if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > GgufLimits.MaxAlignment)
        {
            throw new GgufValidationException(GgufError.InvalidAlignment, $"'{GgufWriter.AlignmentKey}' is {alignment}; it must be a power of two from 1 to {GgufLimits.MaxAlignment}.");
        }

        return alignment;
    }

    private static List<GgufTensorInfo> ReadTensorInfos(BoundedReader reader, int count)
    {
        var tensors = new List<GgufTensorInfo>(count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(reader, $"name of tensor {i}", isKey: false);
            if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) >= GgufLimits.MaxTensorNameBytes)
            {
                throw new GgufValidationException(GgufError.InvalidTensorName, $"Tensor {i} has a name of {Encoding.UTF8.GetByteCount(name)} bytes; names must be 1 to {GgufLimits.MaxTensorNameBytes - 1} bytes.");
            }

            if (!names.Add(name))
            {
                throw new GgufValidationException(GgufError.DuplicateTensorName, $"Tensor '{name}' appears twice.");
            }

            var dimensionCount = reader.ReadUInt32($"dimension count of '{name}'");
            if (dimensionCount is < 1 or > GgufLimits.MaxDimensions)
            {
                throw new GgufValidationException(GgufError.InvalidDimensionCount, $"Tensor '{name}' has {dimensionCount} dimensions; 1 to {GgufLimits.MaxDimensions} are allowed.");
            }

            var shape = new ulong[dimensionCount];
            for (var d = 0; d < shape.Length; d++)
            {
                shape[d] = reader.ReadUInt64($"dimension {d} of '{name}'");
                if (shape[d] == 0 || shape[d] > long.MaxValue)
                {
                    throw new GgufValidationException(GgufError.InvalidDimension, $"Tensor '{name}' has dimension {d} of {shape[d]}; each must be from 1 to {long.MaxValue}.");
                }
            }

            var rawType = reader.ReadUInt32($"type of '{name}'");
            var offset = reader.ReadUInt64($"offset of '{name}'");
            tensors.Add(CheckedTensor(name, shape, rawType, offset));
        }

        return tensors;
    }

    private static GgufTensorInfo CheckedTensor(string name, ulong[] shape, uint rawType, ulong offset)
    {
        if (!GgmlTypeTraits.IsKnown(rawType))
        {
            throw new GgufValidationException(GgufError.UnknownTensorType, $"Tensor '{name}' has unknown ggml type {rawType}.");
        }

        var type = (GgmlType)rawType;
        ulong elements = 1;
        foreach (var dim in shape)
        {
            // ggml keeps element counts in int64: the product must stay below 2^63.
            if (elements > long.MaxValue / dim)
            {
                throw new GgufValidationException(GgufError.ElementCountOverflow, $"Tensor '{name}' has dimensions [{string.Join(", ", shape)}] whose product overflows 64 bits.");
            }

            elements *= dim;
        }

        var blockSize = (ulong)GgmlTypeTraits.BlockSize(type);
        if (shape[0] % blockSize != 0)
        {
            throw new GgufValidationException(GgufError.RowNotBlockAligned, $"Tensor '{name}' has rows of {shape[0]} elements, not a multiple of the {blockSize}-element blocks of {type}.");
        }

        var byteSize = GgmlTypeTraits.TryGetByteSize(type, shape)
            ?? throw new GgufValidationException(GgufError.ElementCountOverflow, $"Tensor '{name}' of {type} with dimensions [{string.Join(", ", shape)}] has a byte size that overflows 64 bits.");
        return new GgufTensorInfo(name, type, shape, offset, byteSize);
    }

    /// <summary>Sequential, buffered reads that never go past the stream's length; never disposes the stream.</summary>
    private sealed class BoundedReader(Stream stream, GgufReadLimits limits)
    {
        private byte[] _window = new byte[1 << 16];
        private int _windowStart;
        private int _windowEnd;

        public long Length { get; } = stream.Length;

        public long Position { get; private set; }

        public long Remaining => Length - Position;

        public GgufReadLimits Limits => limits;

        /// <summary>Refuses, before anything is allocated, a read of <paramref name="bytes"/> more that would pass the header cap.</summary>
        public void EnsureWithinHeaderLimit(ulong bytes, string what)
        {
            if (bytes > (ulong)Math.Max(0, limits.MaxHeaderBytes - Position))
            {
                throw new GgufValidationException(GgufError.HeaderTooLarge, $"The {what} would take the header past {limits.MaxHeaderBytes} bytes, the most accepted before the tensor data.");
            }
        }

        public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, what));

        public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8, what));

        /// <summary>The next <paramref name="count"/> bytes, valid until the next read.</summary>
        public ReadOnlySpan<byte> ReadBytes(int count, string what)
        {
            EnsureWithinHeaderLimit((ulong)count, what);
            if (count > Remaining)
            {
                throw new GgufValidationException(GgufError.Truncated, $"The file ends at byte {Length} while reading the {what} ({count} bytes needed at offset {Position}).");
            }

            if (_windowEnd - _windowStart < count)
            {
                Refill(count, what);
            }

            var span = _window.AsSpan(_windowStart, count);
            _windowStart += count;
            Position += count;
            return span;
        }

        private void Refill(int count, string what)
        {
            var buffered = _windowEnd - _windowStart;
            if (_window.Length < count)
            {
                var larger = new byte[Math.Max(count, _window.Length * 2)];
                _window.AsSpan(_windowStart, buffered).CopyTo(larger);
                _window = larger;
            }
            else
            {
                _window.AsSpan(_windowStart, buffered).CopyTo(_window);
            }

            _windowStart = 0;
            _windowEnd = buffered;
            while (_windowEnd < count)
            {
                var read = stream.Read(_window, _windowEnd, _window.Length - _windowEnd);
                if (read == 0)
                {
                    throw new GgufValidationException(GgufError.Truncated, $"The file ended early while reading the {what} at offset {Position}.");
                }

                _windowEnd += read;
            }
        }
    }
}
