using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Akka.Persistence;

namespace Coordinator.Service.Persistence;

/// <summary>
/// One stored snapshot: <c>&lt;dir&gt;/&lt;escaped persistence id&gt;/snapshot-&lt;sequence nr&gt;-&lt;timestamp ticks&gt;</c>,
/// holding a header (magic, the payload's serializer id and manifest, its length) and the serialized payload. A file
/// only gets this name once its whole content is on disk, so a crash mid-save leaves only a <c>.tmp</c> file behind.
/// </summary>
internal sealed record SnapshotFile(string Path, SnapshotMetadata Metadata)
{
    private const string Prefix = "snapshot-";
    public const string TemporarySuffix = ".tmp";
    private static readonly byte[] Magic = "CSNAP001"u8.ToArray();

    public static string DirectoryOf(string root, string persistenceId) =>
        System.IO.Path.Combine(root, Uri.EscapeDataString(persistenceId));

    public static string PathOf(string root, SnapshotMetadata metadata) =>
        System.IO.Path.Combine(DirectoryOf(root, metadata.PersistenceId),
            string.Create(CultureInfo.InvariantCulture, $"{Prefix}{metadata.SequenceNr}-{metadata.Timestamp.Ticks}"));

    /// <summary>Every complete snapshot of <paramref name="persistenceId"/>, newest (highest sequence number) first.</summary>
    public static IReadOnlyList<SnapshotFile> List(string root, string persistenceId)
    {
        var directory = new DirectoryInfo(DirectoryOf(root, persistenceId));
        if (!directory.Exists)
        {
            return [];
        }
        return directory.EnumerateFiles(Prefix + "*")
            .Select(file => Parse(file.FullName, persistenceId))
            .OfType<SnapshotFile>()
            .OrderByDescending(file => file.Metadata.SequenceNr)
            .ThenByDescending(file => file.Metadata.Timestamp)
            .ToList();
    }

    public bool Matches(SnapshotSelectionCriteria criteria) =>
        Metadata.SequenceNr <= criteria.MaxSequenceNr && Metadata.Timestamp <= criteria.MaxTimeStamp
        && Metadata.SequenceNr >= criteria.MinSequenceNr && (criteria.MinTimestamp is not { } min || Metadata.Timestamp >= min);

    /// <summary>
    /// Writes the snapshot under a temporary name, flushes it to the disk, renames it into place and flushes the
    /// directory, so that once this returns the snapshot survives a power loss, and the journal below it may go.
    /// </summary>
    public static void Write(string path, int serializerId, string manifest, byte[] payload)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = path + TemporarySuffix;
        var manifestBytes = Encoding.UTF8.GetBytes(manifest);
        var header = new byte[Magic.Length + 4 + 4 + manifestBytes.Length + 8];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(Magic.Length), serializerId);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(Magic.Length + 4), manifestBytes.Length);
        manifestBytes.CopyTo(header, Magic.Length + 8);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(Magic.Length + 8 + manifestBytes.Length), payload.LongLength);
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(header);
            file.Write(payload);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        DirectorySync.Flush(directory);
    }

    /// <summary>Reads the header and the payload into an array of exactly its length.</summary>
    /// <exception cref="InvalidDataException">The file is not a snapshot, or is shorter or longer than its header says.</exception>
    public (int SerializerId, string Manifest, byte[] Payload) Read()
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        Span<byte> fixedPart = stackalloc byte[Magic.Length + 8];
        ReadExactly(file, fixedPart);
        if (!fixedPart[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{Path} is not a Coordinator snapshot file");
        }
        var serializerId = BinaryPrimitives.ReadInt32LittleEndian(fixedPart[Magic.Length..]);
        var manifestLength = BinaryPrimitives.ReadInt32LittleEndian(fixedPart[(Magic.Length + 4)..]);
        if (manifestLength < 0 || manifestLength > 1024)
        {
            throw new InvalidDataException($"{Path} has a corrupt header (manifest of {manifestLength} bytes)");
        }
        var manifest = new byte[manifestLength];
        ReadExactly(file, manifest);
        Span<byte> lengthPart = stackalloc byte[8];
        ReadExactly(file, lengthPart);
        var payloadLength = BinaryPrimitives.ReadInt64LittleEndian(lengthPart);
        if (payloadLength < 0 || payloadLength != file.Length - file.Position)
        {
            throw new InvalidDataException($"{Path} holds {file.Length - file.Position} payload bytes where its header says {payloadLength}");
        }
        var payload = GC.AllocateUninitializedArray<byte>(checked((int)payloadLength));
        ReadExactly(file, payload);
        return (serializerId, Encoding.UTF8.GetString(manifest), payload);
    }

    private static void ReadExactly(FileStream file, Span<byte> buffer)
    {
        try
        {
            file.ReadExactly(buffer);
        }
        catch (EndOfStreamException truncated)
        {
            throw new InvalidDataException($"{file.Name} ends before its header says it does", truncated);
        }
    }

    private static SnapshotFile? Parse(string path, string persistenceId)
    {
        var name = System.IO.Path.GetFileName(path);
        if (name.EndsWith(TemporarySuffix, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = name[Prefix.Length..].Split('-');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequenceNr)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTime.MaxValue.Ticks
                ? new SnapshotFile(path, new SnapshotMetadata(persistenceId, sequenceNr, new DateTime(ticks, DateTimeKind.Utc)))
                : null;
    }
}
