using System.Security.Cryptography;
using Akka.Actor;
using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// Backups of a running cluster (<c>coord snapshot save</c> and <c>inspect</c>). A backup is the state machine of one
/// replica at a slot it had applied, taken without stopping writes: the replica serializes its state between two
/// slots, its gateway keeps those bytes while they are fetched in bounded chunks (Akka.Remote drops frames over its
/// limit), and the file's header names the cluster, the slot and a SHA-256. Restore with
/// <c>Coordinator.Service --restore FILE</c> on each replica of a new cluster. Needs no session.
/// </summary>
public static class ClusterBackup
{
    /// <summary>A gateway that dropped the snapshot mid-transfer starts over with a new one; past this many, give up.</summary>
    private const int MaxRestarts = 3;

    /// <summary>
    /// Saves a backup to <paramref name="path"/> from the first of <paramref name="servers"/> that answers. The file
    /// appears complete or not at all (written beside it, flushed to disk, then renamed).
    /// </summary>
    /// <exception cref="ConnectionLossException">No server answered within <paramref name="timeout"/> per request.</exception>
    /// <exception cref="InvalidDataException">The bytes received do not match the SHA-256 the server announced.</exception>
    public static Task<BackupHeader> SaveAsync(
        IEnumerable<string> servers, string path, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SaveAsync(new CoordinatorClientOptions { Servers = [.. servers] }, path, timeout, cancellationToken);

    /// <summary>As above, from <see cref="CoordinatorClientOptions.Servers"/>, through a transport set up as the options say (TLS included).</summary>
    public static async Task<BackupHeader> SaveAsync(
        CoordinatorClientOptions options, string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var listed = options.Servers.ToList();
        var system = ClientSystem.Create(options);
        try
        {
            foreach (var server in listed)
            {
                try
                {
                    return await SaveFromAsync(GatewayAddress.Select(system, server), path, timeout, cancellationToken).ConfigureAwait(false);
                }
                catch (AskTimeoutException)
                {
                    // This server is down or cut off: the next one has the same state, at its own slot.
                }
            }
            throw new ConnectionLossException($"no server answered a backup request within {timeout.TotalSeconds:0.#} s: {string.Join(", ", listed)}");
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Reads a backup file's header and checks the whole file against its checksum.</summary>
    /// <exception cref="InvalidDataException">The file is not a backup, is of an unknown format version, is truncated or corrupt.</exception>
    public static BackupHeader Inspect(string path) => BackupFile.Read(path, keepState: false).Header;

    private static async Task<BackupHeader> SaveFromAsync(ICanTell gateway, string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var partial = path + ".partial";
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var header = await TryDownloadAsync(gateway, partial, timeout, cancellationToken).ConfigureAwait(false);
                if (header is not null)
                {
                    File.Move(partial, path, overwrite: true);
                    return header;
                }
                if (attempt == MaxRestarts)
                {
                    throw new ConnectionLossException($"the server dropped the snapshot {MaxRestarts + 1} times while it was being fetched");
                }
            }
        }
        finally
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }

    /// <returns>Null when the gateway started over with another snapshot.</returns>
    private static async Task<BackupHeader?> TryDownloadAsync(ICanTell gateway, string partial, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requestId = 1L;
        var first = await AskAsync(gateway, new BackupChunkRequest(requestId, null, 0), timeout, cancellationToken).ConfigureAwait(false);
        var savedAt = DateTimeOffset.UtcNow;
        var prefix = BackupFile.Prefix(first.ClusterId, first.AppliedBelow, first.LastTimestamp, savedAt, first.TotalBytes);
        using var fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var stateHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        fileHash.AppendData(prefix);
        await using var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await file.WriteAsync(prefix, cancellationToken).ConfigureAwait(false);
        var checksumAt = file.Position;
        await file.WriteAsync(new byte[SHA256.HashSizeInBytes], cancellationToken).ConfigureAwait(false);

        var chunk = first;
        long received = 0;
        while (true)
        {
            if (chunk.AppliedBelow != first.AppliedBelow || chunk.TotalBytes != first.TotalBytes)
            {
                return null;
            }
            if (chunk.Offset == received && chunk.Data.Length <= first.TotalBytes - received)
            {
                fileHash.AppendData(chunk.Data);
                stateHash.AppendData(chunk.Data);
                await file.WriteAsync(chunk.Data, cancellationToken).ConfigureAwait(false);
                received += chunk.Data.Length;
            }
            if (received == first.TotalBytes)
            {
                break;
            }
            chunk = await AskAsync(gateway, new BackupChunkRequest(++requestId, first.AppliedBelow, received), timeout, cancellationToken)
                .ConfigureAwait(false);
        }
        if (!stateHash.GetHashAndReset().AsSpan().SequenceEqual(first.Sha256))
        {
            throw new InvalidDataException("the snapshot bytes received do not match the SHA-256 the server announced");
        }
        var checksum = fileHash.GetHashAndReset();
        file.Position = checksumAt;
        await file.WriteAsync(checksum, cancellationToken).ConfigureAwait(false);
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
        return new BackupHeader(BackupFile.FormatVersion, first.ClusterId, first.AppliedBelow, first.LastTimestamp,
            DateTimeOffset.FromUnixTimeMilliseconds(savedAt.ToUnixTimeMilliseconds()), first.TotalBytes, Convert.ToHexStringLower(checksum));
    }

    private static Task<BackupChunkResponse> AskAsync(ICanTell gateway, BackupChunkRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        gateway.Ask<BackupChunkResponse>(request, timeout, cancellationToken);
}
