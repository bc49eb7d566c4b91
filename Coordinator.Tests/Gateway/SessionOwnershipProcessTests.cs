using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Gateway;

/// <summary>
/// Three real replica processes; a victim connects with the client library and holds an ephemeral node and a lock,
/// while a second, raw client tries to act in the victim's name at every gateway. Each attempt is refused with its
/// typed reason, and the victim's session, node and lock are exactly as before.
/// </summary>
[Trait("Category", "Process")]
[Collection(ReplicaCollection.Name)]
public sealed class SessionOwnershipProcessTests(ITestOutputHelper output) : TestKit(ClientConfig, "ownership-test", output)
{
    private static readonly Config ClientConfig = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.loglevel = OFF
        akka.stdout-loglevel = OFF
        """).WithFallback(ReplicaHost.ReferenceConfig);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private long _requestId;

    [Fact]
    public async Task A_client_cannot_write_expire_heartbeat_shared_or_not_read_or_watch_for_another_clients_session()
    {
        using var directory = new TempDirectory("ownership");
        var ports = FreePorts.Take(3);
        var endpoints = new Dictionary<int, string> { [1] = $"127.0.0.1:{ports[0]}", [2] = $"127.0.0.1:{ports[1]}", [3] = $"127.0.0.1:{ports[2]}" };
        var configPath = Path.Combine(directory.Path, "cluster.conf");
        await File.WriteAllTextAsync(configPath, $$"""
            coordinator {
              replica.data-dir = "{{directory.Path}}/data"
              replicas { {{string.Join("\n", endpoints.Select(entry => $"{entry.Key} = \"{entry.Value}\""))}} }
            }
            """);
        var processes = endpoints.Keys.ToDictionary(id => id, id => ReplicaProcess.Start(configPath, id, directory.Path));
        try
        {
            // The client counts its session's deadline from its first create: on a busy machine the cluster may take
            // longer than a session timeout to elect its first leader.
            await AwaitLeaderAsync(endpoints.Values);
            await using var victim = await CoordinatorClient.ConnectAsync(new CoordinatorClientOptions
            {
                Servers = [.. endpoints.Values],
                ConnectTimeout = TimeSpan.FromSeconds(60),
            });
            await victim.CreateAsync("/victim", [1], NodeKind.Ephemeral);
            var token = await victim.AcquireLockAsync("/victim-lock");
            var victimSession = victim.SessionId;

            var mallory = CreateTestProbe();
            mallory.IgnoreMessages(message => message is HeartbeatAck);
            var ownSession = victimSession == long.MaxValue ? 1 : victimSession + 1;
            var created = Write(mallory, endpoints[1], ownSession, 1, new CreateSession(30_000, 99));
            Assert.IsType<SessionCreatedResult>(ResultCodec.Decode(created.Result).Value);

            var heartbeatAnswers = new List<RejectReason>();
            var sharedHeartbeatAnswers = new List<RejectReason>();
            foreach (var endpoint in endpoints.Values)
            {
                Transaction[] inTheVictimsName = [new Delete("/victim"), new SetData("/victim", [6]), new Release("/victim-lock"), CloseSession.Instance];
                foreach (var transaction in inTheVictimsName)
                {
                    Refused(mallory, endpoint, id => new WriteRequest(id, victimSession, 1_000 + id, TransactionCodec.Encode(transaction)), RejectReason.NotSessionOwner);
                }
                foreach (var session in new[] { CoordinatorStateMachine.SystemSessionId, victimSession, ownSession })
                {
                    Refused(mallory, endpoint, id => new WriteRequest(id, session, 1_000 + id, TransactionCodec.Encode(new ExpireSession(victimSession))), RejectReason.NotAllowed);
                }
                Refused(mallory, endpoint, id => new WriteRequest(id, CoordinatorStateMachine.SystemSessionId, id, TransactionCodec.Encode(new TouchSession(victimSession))), RejectReason.NotAllowed);

                Gateway(endpoint).Tell(new Heartbeat(victimSession), mallory.Ref);
                heartbeatAnswers.Add(mallory.ExpectMsg<RequestRejected>(Patience).Reason);
                Gateway(endpoint).Tell(new Heartbeat(ownSession + 1_000_003), mallory.Ref);
                Assert.Equal(RejectReason.UnknownSession, mallory.ExpectMsg<RequestRejected>(Patience).Reason);
                // A shared heartbeat from Mallory's process naming the victim's session speaks for it nowhere.
                Gateway(endpoint).Tell(new SessionsHeartbeat(1, [victimSession]), mallory.Ref);
                var refusedShared = mallory.ExpectMsg<SessionsHeartbeatRefused>(Patience);
                Assert.Equal([victimSession], refusedShared.SessionIds);
                sharedHeartbeatAnswers.Add(refusedShared.Reason);

                foreach (var session in new[] { CoordinatorStateMachine.SystemSessionId, victimSession, 424_242_424L })
                {
                    Refused(mallory, endpoint, id => new ReadRequest(id, session, 0, ReadKind.GetData, "/victim", Watch: true), RejectReason.NotSessionOwner);
                }
                foreach (var session in new[] { 424_242_424L, victimSession })
                {
                    Refused(mallory, endpoint, id => new AddWatchRequest(id, session, new WatchRegistration("/", WatchKind.PersistentRecursive)), RejectReason.NotSessionOwner);
                }
                Refused(mallory, endpoint, id => new AttachRequest(id, victimSession, Secret: 12345, 0, [], []), RejectReason.WrongSecret);

                // Around the gateway, straight to the replica actor: ignored, whatever the command.
                var expire = new Coordinator.Core.Consensus.Command(CoordinatorStateMachine.SystemSessionId, 1, TransactionCodec.Encode(new ExpireSession(victimSession)));
                var close = new Coordinator.Core.Consensus.Command(victimSession, 1_000_000, TransactionCodec.Encode(CloseSession.Instance));
                Sys.ActorSelection(ReplicaSettings.ReplicaPathOf(endpoint)).Tell(new ProposeRequest(expire), mallory.Ref);
                Sys.ActorSelection(ReplicaSettings.ReplicaPathOf(endpoint)).Tell(new ProposeRequest(close), mallory.Ref);
                mallory.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
            }
            // Attached at one gateway, the victim's session is someone else's there and unknown at the other two.
            Assert.Equal(
                [RejectReason.UnknownSession, RejectReason.UnknownSession, RejectReason.NotSessionOwner],
                heartbeatAnswers.Order());
            Assert.Equal(
                [RejectReason.UnknownSession, RejectReason.UnknownSession, RejectReason.NotSessionOwner],
                sharedHeartbeatAnswers.Order());
            // Creating the victim's session anew: refused where it is attached, and by the log (wrong secret) elsewhere.
            foreach (var endpoint in endpoints.Values)
            {
                var requestId = ++_requestId;
                Gateway(endpoint).Tell(new WriteRequest(requestId, victimSession, 1, TransactionCodec.Encode(new CreateSession(30_000, 5))), mallory.Ref);
                var answer = mallory.FishForMessage<ClientMessage>(message => message is RequestRejected or WriteResponse, Patience);
                Assert.True(
                    answer is RequestRejected { Reason: RejectReason.NotSessionOwner }
                        || answer is WriteResponse response && ResultCodec.Decode(response.Result).Value is ErrorResult { Error: ErrorCode.SessionExists },
                    $"a second create of the victim's session at {endpoint}: {answer}");
            }

            // Mallory's own session still works: the refusals were about whose session, not about Mallory.
            var own = Write(mallory, endpoints[1], ownSession, 2, new Create("/mallory", [], NodeKind.Persistent));
            Assert.IsType<CreatedResult>(ResultCodec.Decode(own.Result).Value);

            var stat = await victim.ExistsAsync("/victim");
            Assert.NotNull(stat);
            Assert.Equal((victimSession, 0), (stat.Value.EphemeralOwner, stat.Value.Version));
            Assert.True(await victim.CheckTokenAsync("/victim-lock", token));
            await victim.SetDataAsync("/victim", [2]);
            Assert.Equal(victimSession, victim.SessionId);
            foreach (var endpoint in endpoints.Values)
            {
                Gateway(endpoint).Tell(new StatusQuery(++_requestId), mallory.Ref);
                Assert.Equal(0, mallory.FishForMessage<ServerStatus>(_ => true, Patience).Watches);
            }
        }
        finally
        {
            foreach (var process in processes.Values)
            {
                process.Dispose();
            }
        }
    }

    private async Task AwaitLeaderAsync(IEnumerable<string> endpoints)
    {
        var asker = CreateTestProbe();
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); ; await Task.Delay(200))
        {
            foreach (var endpoint in endpoints)
            {
                Gateway(endpoint).Tell(new StatusQuery(++_requestId), asker.Ref);
            }
            var roles = endpoints.Select(_ => asker.ReceiveOne(TimeSpan.FromSeconds(2)) as ServerStatus).Select(status => status?.Role).ToList();
            if (roles.Contains("leader"))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no leader within a minute: {string.Join(", ", roles)}");
        }
    }

    private void Refused(TestProbe client, string endpoint, Func<long, ClientMessage> request, RejectReason reason)
    {
        var requestId = ++_requestId;
        var message = request(requestId);
        Gateway(endpoint).Tell(message, client.Ref);
        var refused = client.ExpectMsg<RequestRejected>(Patience);
        Assert.True((refused.RequestId, refused.Reason) == (requestId, reason), $"{message} at {endpoint}: {refused}");
    }

    private WriteResponse Write(TestProbe client, string endpoint, long session, long sequence, Transaction transaction)
    {
        var requestId = ++_requestId;
        Gateway(endpoint).Tell(new WriteRequest(requestId, session, sequence, TransactionCodec.Encode(transaction)), client.Ref);
        return client.FishForMessage<WriteResponse>(response => response.RequestId == requestId, Patience);
    }

    private ActorSelection Gateway(string endpoint) => Sys.ActorSelection($"akka.tcp://coordinator@{endpoint}/user/gateway");
}
