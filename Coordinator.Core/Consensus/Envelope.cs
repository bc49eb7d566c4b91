namespace Coordinator.Core.Consensus;

internal readonly record struct Envelope(int To, PaxosMessage Message);
