using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Coordinator.Client;

/// <summary>
/// The backup file format, version 1, little-endian: the magic <c>COORDBAK</c>; the format version (u16); the cluster
/// id (u8 length, ASCII); applied-below slot, last leader timestamp and save time (i64 each); the state's length
/// (i64); a SHA-256 over every header byte before it and the state; then the state machine's snapshot bytes. The
/// checksum covers the header too, so a flipped slot or cluster id is caught like a flipped state byte.
/// </summary>
internal static class BackupFile
{
    public const int FormatVersion = 1;

    private const int ChecksumBytes = 32;
    private const int MaxClusterIdBytes = 64;
    private static readonly byte[] Magic = "COORDBAK"u8.ToArray();

    /// <summary>The header's bytes before the checksum.</summary>
    public static byte[] Prefix(string clusterId, long appliedBelow, long lastTimestamp, DateTimeOffset savedAt, long stateBytes)
    {
        var id = Encoding.ASCII.GetBytes(clusterId);
        if (id.Length > MaxClusterIdBytes)
        {
            throw new ArgumentException($"cluster id '{clusterId}' is longer than {MaxClusterIdBytes} characters", nameof(clusterId));
        }
        var prefix = new byte[Magic.Length + 2 + 1 + id.Length + 4 * 8];
        var span = prefix.AsSpan();
        Magic.CopyTo(span);
        span = span[Magic.Length..];
        BinaryPrimitives.WriteUInt16LittleEndian(span, FormatVersion);
        span[2] = (byte)id.Length;
        id.CopyTo(span[3..]);
        span = span[(3 + id.Length)..];
        BinaryPrimitives.WriteInt64LittleEndian(span, appliedBelow);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], lastTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], savedAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], stateBytes);
        return prefix;
    }

    /// <summary>Reads and checks the whole file; the state is returned only when <paramref name="keepState"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a backup, is of another format version, is truncated, or
    /// its checksum does not match; the message is one line naming the file.</exception>
    public static (BackupHeader Header, byte[]? State) Read(string path, bool keepState)
    {
        using var file = OpenForReading(path);
        var header = ReadHeader(path, file, out var prefix, out var checksum);
        var remaining = file.Length - file.Position;
        if (remaining < header.StateBytes)
        {
            throw new InvalidDataException(
                $"{path} is truncated: its header announces {header.StateBytes} state bytes but only {remaining} follow");
        }
        if (remaining > header.StateBytes)
        {
            throw new InvalidDataException(
                $"{path} is corrupt: {remaining - header.StateBytes} bytes follow the {header.StateBytes} state bytes its header announces");
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(prefix);
        var state = keepState ? new byte[header.StateBytes] : null;
        var buffer = new byte[1 << 20];
        long read = 0;
        while (read < header.StateBytes)
        {
            var count = file.Read(buffer, 0, (int)Math.Min(buffer.Length, header.StateBytes - read));
            if (count == 0)
            {
                throw new InvalidDataException($"{path} is truncated: it ended after {read} of {header.StateBytes} state bytes");
            }
            hash.AppendData(buffer, 0, count);
            if (state is not null)
            {
                Array.Copy(buffer, 0, state, read, count);
            }
            read += count;
        }
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(checksum))
        {
            throw new InvalidDataException($"{path} is corrupt: its SHA-256 does not match the checksum in its header");
        }
        return (header, state);
    }

    private static FileStream OpenForReading(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path} cannot be read: {failure.Message}", failure);
        }
    }

    private static BackupHeader ReadHeader(string path, FileStream file, out byte[] prefix, out byte[] checksum)
    {
        var start = new byte[Magic.Length + 2 + 1];
        var got = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (!start.AsSpan(0, Math.Min(got, Magic.Length)).SequenceEqual(Magic.AsSpan(0, Math.Min(got, Magic.Length))) || got == 0)
        {
            throw new InvalidDataException($"{path} is not a Coordinator backup (it does not start with COORDBAK)");
        }
        if (got < start.Length)
        {
            throw new InvalidDataException($"{path} is truncated: it ends inside its header ({file.Length} bytes in all)");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(Magic.Length));
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"{path} is a backup of format version {version}; this build reads version {FormatVersion}");
        }
        var idLength = start[^1];
        if (idLength > MaxClusterIdBytes)
        {
            throw new InvalidDataException($"{path} is corrupt: its cluster id would be {idLength} bytes long");
        }
        var rest = new byte[idLength + 4 * 8];
        ReadExactly(path, file, rest, "header");
        prefix = [.. start, .. rest];
        var id = Encoding.ASCII.GetString(rest, 0, idLength);
        var fields = rest.AsSpan(idLength);
        var appliedBelow = BinaryPrimitives.ReadInt64LittleEndian(fields);
        var lastTimestamp = BinaryPrimitives.ReadInt64LittleEndian(fields[8..]);
        var savedAt = BinaryPrimitives.ReadInt64LittleEndian(fields[16..]);
        var stateBytes = BinaryPrimitives.ReadInt64LittleEndian(fields[24..]);
        checksum = new byte[ChecksumBytes];
        ReadExactly(path, file, checksum, "header");
        if (appliedBelow < 0 || stateBytes < 0 || stateBytes > Array.MaxLength
            || savedAt < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || savedAt > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new InvalidDataException($"{path} is corrupt: its header holds impossible values");
        }
        return new BackupHeader(version, id, appliedBelow, lastTimestamp, DateTimeOffset.FromUnixTimeMilliseconds(savedAt), stateBytes,
            Convert.ToHexStringLower(checksum));
    }

    private static void ReadExactly(string path, FileStream file, byte[] into, string what)
    {
        var read = file.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
        if (read < into.Length)
        {
            throw new InvalidDataException($"{path} is truncated: it ends inside its {what} ({file.Length} bytes in all)");
        }
    }
}
