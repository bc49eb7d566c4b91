namespace Coordinator.Faults.Faults;

/// <summary>How a wiped replica answered its restart; anything but <see cref="Refused"/> is a violation.</summary>
public sealed record WipeResult(int Replica, bool Refused, string Explanation);
