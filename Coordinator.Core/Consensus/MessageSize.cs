namespace Coordinator.Core.Consensus;

/// <summary>
/// An upper estimate of a Paxos message's encoded size: its payload bytes plus a generous allowance per command and
/// per entry. The shell compares it with the transport's frame limit before sending, because Akka.Remote drops a
/// larger frame without telling anyone.
/// </summary>
internal static class MessageSize
{
    private const long PerMessage = 256;
    private const long PerCommand = 64;
    private const long PerEntry = 64;

    public static long Estimate(PaxosMessage message) => PerMessage + message switch
    {
        Accept accept => Of(accept.Value),
        Promise promise => promise.Votes.Sum(Of),
        CatchUp catchUp => catchUp.Entries.Sum(entry => PerEntry + Of(entry.Value)),
        SnapshotChunk chunk => chunk.Data.Length,
        _ => 0,
    };

    public static long Of(Vote vote) => PerEntry + Of(vote.Value);

    private static long Of(Batch batch) => batch.PayloadBytes + batch.Commands.Length * PerCommand;
}
