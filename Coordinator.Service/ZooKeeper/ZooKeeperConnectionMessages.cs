using Coordinator.Core.ZooKeeper;

namespace Coordinator.Service.ZooKeeper;

// What the socket loops tell a ZooKeeperConnection, and its own timer.

internal sealed record ConnectReceived(ZkConnectRecord Request);

internal sealed record PacketReceived(ZkPacket Packet);

/// <summary>The connection opened with a four-letter word (ruok, srvr, ...) instead of a ConnectRequest.</summary>
internal sealed record FourLetterWordReceived(string Word);

/// <summary>The socket closed, or the client sent something that does not decode: the connection ends.</summary>
internal sealed record ConnectionEnded(string Reason, bool Misbehaved);

internal sealed class ZooKeeperLivenessTick
{
    public static readonly ZooKeeperLivenessTick Instance = new();

    private ZooKeeperLivenessTick()
    {
    }
}
