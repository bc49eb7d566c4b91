namespace Coordinator.Client;

public sealed class ConnectionStateChangedEventArgs(ConnectionState state) : EventArgs
{
    public ConnectionState State { get; } = state;
}
