using Akka.Actor;
using Akka.Event;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Gateway;

/// <summary>
/// The shell's side of authentication: a <see cref="CreateSessionAs"/> (or an open session's
/// <see cref="AuthenticateSessionAs"/>, ZooKeeper's addauth, proposed as <see cref="AuthenticateSession"/>) waits out the backoff its client address and
/// user earned, its password is checked against the replicated user table (or the configured super user) off this
/// actor's thread, and only then does the core see a <see cref="CreateSession"/> naming the user. A
/// <see cref="SetPassword"/> is hashed, with a fresh salt, the same way and reaches the core as a
/// <see cref="StoreUser"/>. A <see cref="CreateCertifiedSession"/>'s chain and signature are checked off this actor's
/// thread, <see cref="CertificateLogins"/> decides, and the core sees a CreateSession naming <c>x509:SUBJECT</c>.
/// Passwords and proofs never reach the log, a journal or a snapshot.
/// </summary>
internal sealed partial class GatewayActor
{
    private static readonly byte[] WrongCredentials = ResultCodec.Encode(new ErrorResult(ErrorCode.AuthFailed, "wrong user name or password"));

    // A digest for names without a user, so a login for an unknown name costs what a wrong password does and its
    // timing does not tell which names exist.
    private PasswordDigest? _decoy;

    // Nonces of certificate proofs taken in the last two windows: 100,000 is over 150 logins a second, sustained.
    private const int MaxRememberedNonces = 100_000;

    private CertificateLogins? _certificateLogins;

    private bool InterceptWrite(IActorRef client, WriteRequest write)
    {
        switch (TransactionCodec.PeekTag(write.Transaction))
        {
            case TransactionCodec.Tag.CreateSessionAs when TransactionCodec.Decode(write.Transaction).Value is CreateSessionAs login:
                AwaitBackoff(new Login(write, login.User, login.Password, client, new CreateSession(login.TimeoutMs, login.Secret, login.User)));
                return true;
            case TransactionCodec.Tag.AuthenticateSessionAs when _core.IsAttachedBy(write.SessionId, client)
                && TransactionCodec.Decode(write.Transaction).Value is AuthenticateSessionAs addAuth:
                AwaitBackoff(new Login(write, addAuth.User, addAuth.Password, client, new AuthenticateSession(addAuth.User)));
                return true;
            case TransactionCodec.Tag.CreateCertifiedSession when TransactionCodec.Decode(write.Transaction).Value is CreateCertifiedSession proof:
                var authorities = _settings.Security.ClientAuthorities;
                Task.Run(() => CertificateProofCheck.Examine(write.SessionId, proof, authorities))
                    .PipeTo(Self, success: evidence => new CertificateExamined(write, client, proof, evidence));
                return true;
            case TransactionCodec.Tag.SetPassword when _core.IsAttachedBy(write.SessionId, client)
                && TransactionCodec.Decode(write.Transaction).Value is SetPassword set:
                var iterations = _settings.Security.PasswordIterations;
                Task.Run(() => new StoreUser(set.Name, PasswordHasher.Hash(set.Password, iterations)))
                    .PipeTo(Self, success: store => new PasswordHashed(write, client, store));
                return true;
            default:
                return false;
        }
    }

    private void AwaitBackoff(Login login)
    {
        var wait = _backoff.WaitBefore(login.Keys, Now);
        if (wait > TimeSpan.Zero)
        {
            Timers.StartSingleTimer(login, login, wait);
            return;
        }
        // Counted as a failure from now until it succeeds, so guesses sent all at once wait their turn like
        // guesses sent one after the other.
        _backoff.Failed(login.Keys, Now);
        if (_settings.Security.SuperUser == login.User)
        {
            Verify(login, _settings.Security.SuperUserDigest);
            return;
        }
        _replica.Tell(new StateQuery(0, machine => new UserLookup(GatewayQueries.User(machine, login.User)), login), Self);
    }

    private void Verify(Login login, PasswordDigest? digest)
    {
        var decoy = _decoy ??= PasswordHasher.Hash("", _settings.Security.PasswordIterations);
        var password = login.Password;
        Task.Run(() => PasswordHasher.Verify(password, digest ?? decoy) && digest is not null)
            .PipeTo(Self, success: ok => new LoginChecked(login, ok));
    }

    private void OnLoginChecked(LoginChecked checkedLogin)
    {
        var (write, user, _, client, proposal) = checkedLogin.Login;
        if (!checkedLogin.Ok)
        {
            _log.Warning("Gateway refused a login as {0} from {1}: wrong user name or password", user, client.Path.Address);
            client.Tell(new WriteResponse(write.RequestId, _core.AppliedBelow - 1, WrongCredentials));
            return;
        }
        _backoff.Succeeded(checkedLogin.Login.Keys);
        _core.OnWrite(client, write with { Transaction = TransactionCodec.Encode(proposal) }, Now, verified: true);
    }

    private void OnCertificateExamined(CertificateExamined examined)
    {
        var (write, client, proof, evidence) = examined;
        _certificateLogins ??= new CertificateLogins(_settings.Security.Gateway, SecuritySettings.CertificateProofWindow, MaxRememberedNonces);
        var decision = _certificateLogins.Decide(evidence, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (decision.Principal is not { } principal)
        {
            _log.Warning("Gateway refused a certificate login from {0}: {1}", client.Path.Address, decision.Refusal);
            client.Tell(new WriteResponse(write.RequestId, _core.AppliedBelow - 1, ResultCodec.Encode(new ErrorResult(ErrorCode.AuthFailed, decision.Refusal))));
            return;
        }
        var create = TransactionCodec.Encode(new CreateSession(proof.TimeoutMs, proof.Secret, principal));
        _core.OnWrite(client, write with { Transaction = create }, Now, verified: true);
    }

    private sealed record CertificateExamined(WriteRequest Write, IActorRef Client, CreateCertifiedSession Proof, CertificateLogins.Evidence Evidence);

    /// <summary>A password to check, and what the gateway proposes once it is right (a session create, or an addauth).</summary>
    private sealed record Login(WriteRequest Write, string User, string Password, IActorRef Client, Transaction Proposal)
    {
        public string[] Keys { get; } = [$"address:{Client.Path.Address}", $"user:{User}"];
    }

    private sealed record UserLookup(PasswordDigest? Digest);

    private sealed record LoginChecked(Login Login, bool Ok);

    private sealed record PasswordHashed(WriteRequest Write, IActorRef Client, StoreUser Store);
}
