namespace Coordinator.Faults.Checking;

/// <summary>
/// How the attempted adds of a set workload compare with the set read at the end. <see cref="Ok"/> counts elements
/// with an Ok add that are present; Unknown adds may go either way and are counted by where they ended up;
/// <see cref="Lost"/> (an Ok add missing) and <see cref="Phantom"/> (present though never added, or added only by
/// Failed adds) are the violations.
/// </summary>
public sealed record SetTally(
    int Ok,
    int UnknownPresent,
    int UnknownAbsent,
    int Lost,
    int Phantom,
    IReadOnlyList<long> LostElements,
    IReadOnlyList<long> PhantomElements);
