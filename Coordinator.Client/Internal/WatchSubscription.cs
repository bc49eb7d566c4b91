using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// One consumer of a watch: a one-shot callback or a persistent stream, each with its own identity.
/// <paramref name="end"/> tells a stream that no event will come any more (the session ended). <paramref name="from"/>
/// asks for every change after that position, replayed from the replica's history, rather than from registration on.
/// </summary>
internal sealed class WatchSubscription(WatchRegistration registration, Action<WatchEvent> deliver, Action<Exception>? end = null, EventPosition? from = null)
{
    public WatchRegistration Registration { get; } = registration;

    public Action<WatchEvent> Deliver { get; } = deliver;

    public Action<Exception>? End { get; } = end;

    public EventPosition? From { get; } = from;

    /// <summary>
    /// The position after which this consumer has every event: set when it is registered, read by the caller once
    /// the registration's completion is signalled (the completion publishes it).
    /// </summary>
    public EventPosition RegisteredAt { get; set; }
}
