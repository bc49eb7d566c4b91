namespace Coordinator.Client;

/// <summary>
/// A session's id and secret, drawn by the shell. The id is public (it is every ephemeral node's owner); the
/// secret is what proves to a replica that an attach comes from the client that created the session.
/// </summary>
internal readonly record struct SessionIdentity(long Id, long Secret);
