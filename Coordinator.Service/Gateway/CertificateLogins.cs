using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;

namespace Coordinator.Service.Gateway;

/// <summary>
/// The gateway's decision on a session asked for by proof of a certificate (<see cref="CreateCertifiedSession"/>), apart
/// from the crypto that produced the evidence: which proofs are taken, and what principal the session gets. A proof is
/// taken only when the certificate chains to the cluster's CA and has a subject, the signature is the certificate key's
/// over the request, it names this gateway, it was made within <see cref="Window"/> of now, and its nonce was never
/// taken before. Nonces are remembered for twice the window (a proof older than that is refused as too old anyway), at
/// most <paramref name="maxRemembered"/> at once; past that, proofs are refused until old ones lapse, rather than a
/// nonce being forgotten early and its proof taken twice.
/// </summary>
internal sealed class CertificateLogins(string ownGateway, TimeSpan window, int maxRemembered)
{
    private readonly Dictionary<string, long> _takenUntil = new(StringComparer.Ordinal);
    private readonly Queue<(string Nonce, long Until)> _lapse = new();

    public TimeSpan Window { get; } = window;

    /// <summary>What the shell found out about a proof: the chain and the signature, checked off the actor's thread.</summary>
    /// <param name="Subject">The certificate's subject distinguished name; null when the certificate did not parse.</param>
    /// <param name="ChainError">Why the certificate does not chain to the cluster's CA; null when it does.</param>
    internal sealed record Evidence(string Gateway, long IssuedAtMs, byte[] Nonce, string? Subject, string? ChainError, bool SignatureValid);

    /// <param name="Principal">The session's principal (<c>x509:SUBJECT</c>) when the proof is taken.</param>
    /// <param name="Refusal">Why it is not, otherwise.</param>
    internal sealed record Decision(string? Principal, string? Refusal);

    /// <param name="nowMs">This gateway's wall clock, Unix milliseconds.</param>
    public Decision Decide(Evidence evidence, long nowMs)
    {
        Lapse(nowMs);
        var windowMs = (long)Window.TotalMilliseconds;
        string? refusal = evidence switch
        {
            { Subject: null } => "the certificate could not be read",
            { ChainError: { } error } => $"the certificate '{evidence.Subject}' does not chain to the cluster's CA ({error})",
            _ when !AclRules.IsValidSubject(evidence.Subject) => "the certificate's subject is empty or not a valid x509 ACL id",
            { SignatureValid: false } => $"the signature is not the key of '{evidence.Subject}' over this request",
            _ when evidence.Gateway != ownGateway => $"the proof was made for gateway {evidence.Gateway}, not {ownGateway}",
            _ when Math.Abs(nowMs - evidence.IssuedAtMs) > windowMs =>
                $"the proof was made {(nowMs - evidence.IssuedAtMs) / 1000} s from now: more than {Window.TotalSeconds:0} s apart (check the clocks)",
            _ when evidence.Nonce.Length < CertifiedSessionProof.NonceBytes => "the proof's nonce is too short",
            _ when _takenUntil.ContainsKey(Convert.ToHexString(evidence.Nonce)) => "the proof was already used (a replay)",
            _ when _takenUntil.Count >= maxRemembered => "too many certificate logins at once: try again shortly",
            _ => null,
        };
        if (refusal is not null)
        {
            return new Decision(null, refusal);
        }
        var nonce = Convert.ToHexString(evidence.Nonce);
        var until = nowMs + 2 * windowMs;
        _takenUntil[nonce] = until;
        _lapse.Enqueue((nonce, until));
        return new Decision(AclRules.CertificatePrincipal(evidence.Subject!), null);
    }

    private void Lapse(long nowMs)
    {
        while (_lapse.TryPeek(out var oldest) && oldest.Until <= nowMs)
        {
            _lapse.Dequeue();
            _takenUntil.Remove(oldest.Nonce);
        }
    }
}
