using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.ClientLibrary;

/// <summary>
/// Drives a <see cref="ClientSessionCore"/> with virtual time and no network, doing what the actor shell does with
/// its outputs: sends are recorded per server, callers' tasks are settled, events delivered and states recorded.
/// Identities are drawn from a counter, and server i's address is "server-i".
/// </summary>
internal sealed class SessionCoreHarness
{
    private long _identities;

    public SessionCoreHarness(int servers = 3, long sessionTimeoutMs = 9000, long requestTimeoutMs = 1000, long connectTimeoutMs = 60_000, int maxRequestBytes = 1088 * 1024)
    {
        Core = new ClientSessionCore(
            new ClientSessionSettings(servers, sessionTimeoutMs, requestTimeoutMs, connectTimeoutMs, maxRequestBytes),
            () => new SessionIdentity(1000 + ++_identities, -_identities));
    }

    public ClientSessionCore Core { get; }

    public long Now { get; set; }

    public List<(int Server, ClientMessage Message)> Sent { get; } = [];

    public List<ConnectionState> States { get; } = [];

    public List<ClientOutput> Outputs { get; } = [];

    public static string Address(int server) => $"server-{server}";

    public void Run(IReadOnlyList<ClientOutput> outputs)
    {
        Outputs.AddRange(outputs);
        foreach (var output in outputs)
        {
            switch (output)
            {
                case SendToServer send:
                    Sent.Add((send.Server, send.Message));
                    break;
                case SettleCall settle:
                    settle.Run();
                    break;
                case DeliverEvent deliver:
                    deliver.Subscription.Deliver(deliver.Event);
                    break;
                case PublishState publish:
                    States.Add(publish.State);
                    break;
                case EndSubscription end:
                    end.Subscription.End?.Invoke(end.Error);
                    break;
            }
        }
    }

    /// <summary>Moves virtual time forward in the shell's tick steps, ticking the core at each.</summary>
    public void Advance(long ms, long step = 10)
    {
        var until = Now + ms;
        while (Now < until)
        {
            Now = Math.Min(Now + step, until);
            Run(Core.Tick(Now));
        }
    }

    public void Deliver(int server, ClientMessage message) => Run(Core.Receive(Now, message, Address(server)));

    /// <summary>The messages sent since the last call, oldest first.</summary>
    public List<(int Server, ClientMessage Message)> TakeSent()
    {
        var sent = Sent.ToList();
        Sent.Clear();
        return sent;
    }

    public T Single<T>(int? server = null)
        where T : ClientMessage
    {
        var sent = TakeSent();
        var (to, message) = Assert.Single(sent);
        if (server is { } expected)
        {
            Assert.Equal(expected, to);
        }
        return Assert.IsType<T>(message);
    }

    public TaskCompletionSource Start(int firstServer = 0)
    {
        var started = new TaskCompletionSource();
        Run(Core.Start(Now, firstServer, started));
        return started;
    }

    /// <summary>Creates and attaches the session on <paramref name="server"/>.</summary>
    public void Connect(int server = 0, int timeoutMs = 9000)
    {
        var started = Start(server);
        var create = Single<WriteRequest>(server);
        Deliver(server, new WriteResponse(create.RequestId, 1, ResultCodec.Encode(new SessionCreatedResult(create.SessionId, timeoutMs))));
        var attach = Single<AttachRequest>(server);
        Deliver(server, new AttachResponse(attach.RequestId, 1, timeoutMs));
        Assert.True(started.Task.IsCompletedSuccessfully);
        States.Clear();
    }

    public TaskCompletionSource<WriteOutcome> Write(Transaction transaction)
    {
        var completion = new TaskCompletionSource<WriteOutcome>();
        Run(Core.SubmitWrite(Now, new SubmitWrite(transaction, TransactionCodec.Encode(transaction), completion)));
        return completion;
    }

    public TaskCompletionSource<ReadResponse> Read(ReadKind kind, string path, Action<WatchEvent>? watcher = null)
    {
        var completion = new TaskCompletionSource<ReadResponse>();
        Run(Core.SubmitRead(Now, new SubmitRead(kind, path, watcher, completion)));
        return completion;
    }

    public static WriteResponse Ok(WriteRequest request, long slot) => new(request.RequestId, slot, ResultCodec.Encode(OkResult.Instance));
}
