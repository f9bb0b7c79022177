namespace Portal.Tests.Web.Admin;

/// <summary>
/// Reads at most <c>length</c> bytes of an inner stream; with <c>failAfter</c>, throws once that many
/// bytes were read, as a connection that drops in the middle of a chunk.
/// </summary>
internal sealed class SliceStream(Stream inner, long length, long? failAfter = null) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (failAfter is { } fail && _read >= fail)
        {
            throw new IOException("Simulated connection loss in the middle of a chunk.");
        }

        var limit = Math.Min(length - _read, failAfter is { } f ? f - _read : long.MaxValue);
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, limit)]);
        _read += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (failAfter is { } fail && _read >= fail)
        {
            throw new IOException("Simulated connection loss in the middle of a chunk.");
        }

        var limit = Math.Min(length - _read, failAfter is { } f ? f - _read : long.MaxValue);
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, limit)], cancellationToken);
        _read += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
