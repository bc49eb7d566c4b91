namespace Coordinator.Core.StateMachine;

/// <summary>
/// What only a TTL node carries (so other nodes pay one null reference): its TTL, and the duration-clock time of its
/// creation or last data write, which the TTL counts from. Replaced, never changed, so undo keeps the old one.
/// </summary>
internal sealed record NodeTtl(long Ms, long Since);
