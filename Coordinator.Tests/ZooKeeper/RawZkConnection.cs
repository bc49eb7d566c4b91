using System.Buffers.Binary;
using System.Net.Sockets;
using Coordinator.Core.ZooKeeper;

namespace Coordinator.Tests.ZooKeeper;

/// <summary>
/// A bare TCP connection to a ZooKeeper port that sends whatever frames a test builds, including ones no client
/// would, and reads the server's frames back.
/// </summary>
internal sealed class RawZkConnection : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawZkConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawZkConnection> OpenAsync(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..]));
        return new RawZkConnection(tcp);
    }

    /// <summary>Sends a ConnectRequest and reads the ConnectResponse: (timeout, session id, password); timeout 0 means expired.</summary>
    public async Task<(int TimeoutMs, long SessionId, byte[] Password)> ConnectAsync(
        long sessionId = 0, byte[]? password = null, long lastZxidSeen = 0, int timeoutMs = 10_000)
    {
        await SendAsync(new JuteWriter().Int(0).Long(lastZxidSeen).Int(timeoutMs).Long(sessionId).Buffer(password ?? new byte[16]).Bool(false).ToFrame());
        var frame = await ReceiveAsync() ?? throw new IOException("the server closed the connection instead of answering the connect");
        var reader = new JuteReader(frame);
        reader.ReadInt();
        return (reader.ReadInt(), reader.ReadLong(), reader.ReadBuffer());
    }

    /// <summary>Sends a request and reads its reply header: (xid, zxid, err) and the record after it.</summary>
    public async Task<(int Xid, long Zxid, int Err, byte[] Record)> RequestAsync(Action<JuteWriter> request)
    {
        var writer = new JuteWriter();
        request(writer);
        await SendAsync(writer.ToFrame());
        while (true)
        {
            var frame = await ReceiveAsync() ?? throw new IOException("the server closed the connection instead of answering");
            var reader = new JuteReader(frame);
            var (xid, zxid, err) = (reader.ReadInt(), reader.ReadLong(), reader.ReadInt());
            if (xid != ZkXids.Notification)
            {
                return (xid, zxid, err, frame[16..]);
            }
        }
    }

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>The next frame's bytes after its length, or null once the server has closed the connection.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(20));
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, timeout.Token))
        {
            return null;
        }
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(frame, timeout.Token) ? frame : null;
    }

    /// <summary>Whether the server closes the connection within the time, reading and dropping whatever it sends first.</summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan within)
    {
        try
        {
            while (await ReceiveAsync(within) is not null)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Everything the server sends until it closes the connection, as ASCII (a four-letter word's answer).</summary>
    public async Task<string> ReadTextUntilClosedAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        using var text = new MemoryStream();
        try
        {
            await _stream.CopyToAsync(text, timeout.Token);
        }
        catch (IOException)
        {
            // Reset after the answer: what arrived before is the answer.
        }
        return System.Text.Encoding.ASCII.GetString(text.ToArray());
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellation)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancellation);
            return true;
        }
        catch (Exception closed) when (closed is EndOfStreamException or IOException)
        {
            return false;
        }
    }

    public void Dispose() => _tcp.Dispose();
}
