namespace Coordinator.Core.Protocol;

/// <summary>
/// What a client signs with its certificate's key to create a session as the certificate's subject: a fixed label, the
/// session's id, timeout and secret, the gateway ("host:port" as the client lists it) the request is sent to, when it
/// was made (Unix milliseconds) and a fresh nonce. The gateway refuses a proof made for another gateway, one too old
/// or too new, and a nonce it already took, so a captured proof cannot open a session again, elsewhere or later.
/// </summary>
internal static class CertifiedSessionProof
{
    public const string Label = "coordinator x509 session v1";

    public const int NonceBytes = 16;

    public static byte[] SignedBytes(long sessionId, int timeoutMs, long secret, string gateway, long issuedAtMs, ReadOnlySpan<byte> nonce)
    {
        var writer = new WireWriter();
        writer.WriteString(Label);
        writer.WriteInt64(sessionId);
        writer.WriteInt32(timeoutMs);
        writer.WriteInt64(secret);
        writer.WriteString(gateway);
        writer.WriteInt64(issuedAtMs);
        writer.WriteBytes(nonce);
        return writer.ToArray();
    }
}
