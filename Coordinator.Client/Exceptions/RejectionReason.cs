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
}
