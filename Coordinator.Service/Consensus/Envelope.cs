namespace Coordinator.Service.Consensus;

internal readonly record struct Envelope(int To, PaxosMessage Message);
