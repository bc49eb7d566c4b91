using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Coordinator.Client;

/// <summary>
/// One TLS handshake with a peer, made as Akka.Remote's DotNetty client would make it (the same certificate, the
/// same validation callback and peer string, TLS 1.2 and the dialled host as target), then closed: nothing but the
/// handshake crosses it. See <see cref="HandshakeProbeTransport"/> for why.
/// </summary>
internal static class HandshakeProbe
{
    /// <summary>Why a probe failed; <paramref name="Connected"/> when the peer took the TCP connection (a TLS failure, not an absent peer).</summary>
    public sealed record Refusal(string Reason, bool Connected);

    /// <returns>Null when the handshake completed, otherwise why it did not.</returns>
    public static async Task<Refusal?> RefusalAsync(Address remote, DotNettySslSetup setup, ILoggingAdapter log, TimeSpan timeout)
    {
        if (remote.Host is not { Length: > 0 } host || remote.Port is not { } port)
        {
            return new Refusal($"{remote} has no host and port", Connected: false);
        }
        using var bounded = new CancellationTokenSource(timeout);
        var peer = remote.ToString();
        string? refusedByUs = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            // DotNetty's client offers TLS 1.0 to 1.2, so a handshake with it ends at 1.2. Under 1.3 a peer that refuses
            // the client's certificate says so only after the client's handshake completed, so a probe at 1.3 would
            // pass where the transport's own handshake then fails.
            EnabledSslProtocols = SslProtocols.Tls12,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificates = setup.RequireMutualAuthentication ? [setup.Certificate] : null,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                var presented = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                var accepted = setup.CustomValidator is { } validator ? validator(presented, chain, peer, errors, log) : errors == SslPolicyErrors.None;
                if (!accepted)
                {
                    refusedByUs = presented is null ? "it presented no certificate" : $"its certificate '{presented.Subject}' was refused";
                }
                return accepted;
            },
        };
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, bounded.Token);
        }
        catch (Exception failed) when (failed is SocketException or OperationCanceledException)
        {
            return new Refusal($"could not connect: {failed.Message}", Connected: false);
        }
        try
        {
            await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
            await stream.AuthenticateAsClientAsync(options, bounded.Token);
            return null;
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested)
        {
            return new Refusal($"no TLS handshake within {timeout.TotalSeconds:0.#} s", Connected: true);
        }
        catch (Exception failed) when (failed is AuthenticationException or IOException or SocketException)
        {
            return new Refusal(refusedByUs ?? failed.GetBaseException().Message, Connected: true);
        }
    }
}
