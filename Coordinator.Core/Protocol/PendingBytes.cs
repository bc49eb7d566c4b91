namespace Coordinator.Core.Protocol;

/// <summary>
/// A <see cref="WireWriter"/>'s output whose large byte arrays are referenced rather than copied yet. Taking it costs
/// what the structure costs; <see cref="Assemble"/> copies the arrays in, and may run on another thread, because
/// the arrays it references are never written into (the tree replaces a node's data, it never mutates it).
/// </summary>
internal sealed class PendingBytes(byte[] structure, IReadOnlyList<(int At, byte[] Data)> inserts)
{
    public long Length { get; } = structure.Length + inserts.Sum(insert => (long)insert.Data.Length);

    public byte[] Assemble()
    {
        var result = new byte[checked((int)Length)];
        var from = 0;
        var to = 0;
        foreach (var (at, data) in inserts)
        {
            structure.AsSpan(from, at - from).CopyTo(result.AsSpan(to));
            to += at - from;
            from = at;
            data.CopyTo(result.AsSpan(to));
            to += data.Length;
        }
        structure.AsSpan(from).CopyTo(result.AsSpan(to));
        return result;
    }
}
