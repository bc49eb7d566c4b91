using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// One consumer of a watch: a one-shot callback or a persistent stream, each with its own identity.
/// <paramref name="end"/> tells a stream that no event will come any more (the session ended).
/// </summary>
internal sealed class WatchSubscription(WatchRegistration registration, Action<WatchEvent> deliver, Action<Exception>? end = null)
{
    public WatchRegistration Registration { get; } = registration;

    public Action<WatchEvent> Deliver { get; } = deliver;

    public Action<Exception>? End { get; } = end;
}
