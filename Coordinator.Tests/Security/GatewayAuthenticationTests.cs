using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Gateway;

namespace Coordinator.Tests.Security;

/// <summary>
/// Issue 19, the gateway core's side of authentication: what a client may not claim (a verified user, a digest, a
/// password in the log) and the anonymous rule.
/// </summary>
[Trait("Category", "Security")]
public sealed class GatewayAuthenticationTests
{
    private const string Mallory = "mallory";

    private static GatewayCore<string> Core(bool allowAnonymous) =>
        new(GatewaySettings.Default with { Security = SecuritySettings.Default with { AllowAnonymous = allowAnonymous } });

    private static IReadOnlyList<ClientMessage> Send(GatewayCore<string> core, Transaction transaction, long sessionId = 11, bool verified = false)
    {
        core.OnWrite(Mallory, new WriteRequest(1, sessionId, 1, TransactionCodec.Encode(transaction)), 1_000, verified);
        var sent = core.Outbox.ToClients.Select(reply => reply.Message).ToList();
        Assert.Empty(core.Outbox.ToReplica);
        core.Outbox.Clear();
        return sent;
    }

    [Fact]
    public void A_client_cannot_claim_a_user_a_digest_or_put_a_password_in_the_log()
    {
        var core = Core(allowAnonymous: true);
        Transaction[] claims =
        [
            new CreateSession(10_000, 1, "root"),
            new StoreUser("root", new PasswordDigest(1000, [1], [2])),
            new CreateSessionAs(10_000, 1, "alice", "pw"),
            new SetPassword("alice", "pw"),
            new CreateCertifiedSession(10_000, 1, [1], "127.0.0.1:4001", 0, new byte[16], [2]),
            new AuthenticateSession("root"),
            new AuthenticateSessionAs("alice", "pw"),
        ];
        foreach (var claim in claims)
        {
            Assert.Equal(RejectReason.NotAllowed, Assert.IsType<RequestRejected>(Assert.Single(Send(core, claim))).Reason);
        }
    }

    [Fact]
    public void An_anonymous_create_is_answered_auth_failed_unproposed_when_anonymous_sessions_are_off()
    {
        var refusing = Core(allowAnonymous: false);
        var answer = Assert.IsType<WriteResponse>(Assert.Single(Send(refusing, new CreateSession(10_000, 1))));
        Assert.Equal(ErrorCode.AuthFailed, ResultCodec.Decode(answer.Result).Value!.Code);

        refusing.OnWrite(Mallory, new WriteRequest(2, 12, 1, TransactionCodec.Encode(new CreateSession(10_000, 1, "alice"))), 1_000, verified: true);
        Assert.Single(refusing.Outbox.ToReplica);

        var allowing = Core(allowAnonymous: true);
        allowing.OnWrite(Mallory, new WriteRequest(3, 13, 1, TransactionCodec.Encode(new CreateSession(10_000, 1))), 1_000);
        Assert.Single(allowing.Outbox.ToReplica);
    }

    [Fact]
    public void An_attach_does_not_carry_over_a_watch_on_a_node_the_session_may_no_longer_read()
    {
        var core = Core(allowAnonymous: true);
        var readable = new WatchRegistration("/open", WatchKind.Persistent);
        var forbidden = new WatchRegistration("/secret", WatchKind.Persistent);
        var attach = new AttachRequest(1, 11, 5, 0, [new ResumedWatch(readable, EventPosition.After(0)), new ResumedWatch(forbidden, EventPosition.After(0))], []);
        Assert.True(core.AdmitAttach(Mallory, attach));
        core.OnAttachInspected(
            Mallory,
            attach,
            new AttachOutcome(new SessionInfo(11, 10_000, 5, 0, 0, 1, [], []), [new NodeRead(ErrorCode.Ok, default, default), new NodeRead(ErrorCode.NoAuth, default, default)], []),
            1,
            1_000);
        Assert.Equal(1, core.WatchCountOf(11));
        Assert.DoesNotContain(core.Outbox.ToClients, reply => reply.Message is WatchNotification { Path: "/secret" });
    }

    [Fact]
    public void Security_settings_refuse_a_super_user_without_a_digest_and_a_bad_default_acl()
    {
        var reference = Coordinator.Service.Runtime.ReplicaHost.ReferenceConfig.GetConfig(SecuritySettings.Path);
        Assert.True(SecuritySettings.Create(reference).AllowAnonymous);
        Assert.Throws<Akka.Configuration.ConfigurationException>(() =>
            SecuritySettings.Create(Akka.Configuration.ConfigurationFactory.ParseString("super-user = root").WithFallback(reference)));
        Assert.Throws<Akka.Configuration.ConfigurationException>(() =>
            SecuritySettings.Create(Akka.Configuration.ConfigurationFactory.ParseString("default-acl = \"auth::cdrwa\"").WithFallback(reference)));
        var digest = CoordinatorCredentials.Digest("pw", 1000);
        var configured = SecuritySettings.Create(
            Akka.Configuration.ConfigurationFactory.ParseString($"super-user = root\nsuper-user-digest = \"{digest}\"\nallow-anonymous = off").WithFallback(reference));
        Assert.Equal(("root", false), (configured.SuperUser, configured.AllowAnonymous));
        Assert.True(PasswordHasher.Verify("pw", configured.SuperUserDigest!));
    }
}
