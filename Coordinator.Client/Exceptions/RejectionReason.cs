namespace Coordinator.Client;

/// <summary>Why a replica refused a request, value for value the protocol's reasons.</summary>
public enum RejectionReason
{
    UnknownSession = 1,
    WrongSecret = 2,
    TooManyInFlight = 3,
    RequestTooLarge = 4,
    NoQuorum = 5,
    UnsupportedVersion = 6,

    /// <summary>The request named a session this client has not attached at that replica.</summary>
    NotSessionOwner = 7,

    /// <summary>Not a client operation (expiry and leader time come only from the leader).</summary>
    NotAllowed = 8,

    /// <summary>The session holds as many watches at that replica as it may.</summary>
    TooManyWatches = 9,

    /// <summary>The session may not read the node it asked to watch.</summary>
    NoAuth = 10,
}
