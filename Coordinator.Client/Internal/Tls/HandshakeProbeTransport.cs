using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Akka.Remote.Transport.DotNetty;

namespace Coordinator.Client;

/// <summary>
/// The adapter directly above Akka.Remote's DotNetty TLS transport (<see cref="TransportTls.Hocon"/>). Akka.Remote
/// 1.5.74 ends an ActorSystem whose outbound TLS handshake fails: <c>TcpHandlers.UserEventTriggered</c> runs
/// <c>CoordinatedShutdown</c> with <c>TlsHandshakeFailureReason</c> on any failed handshake of a connection it dialled
/// (a certificate our validation refuses, a peer refusing ours, a peer closing mid-handshake), with no setting to
/// turn that off, while the same failure of an inbound connection only closes it. So one replica with another CA's
/// certificate, or anything listening at a replica's address, would stop every replica and client that dials it.
/// <para>
/// Before each association the transport dials, this adapter makes the same handshake itself
/// (<see cref="HandshakeProbe"/>). If it fails, the association fails with <see cref="InvalidAssociationException"/>,
/// which Akka treats as for any unreachable address: the address is gated and dialled again later. Only after a
/// handshake that completed does the transport dial. A TLS refusal is remembered for <see cref="RefusalHold"/>, so a
/// refused peer is probed (and logged) every few seconds, not at every 200 ms gate.
/// </para>
/// <para>
/// What remains: a peer whose handshake passes the probe and fails the transport's own dial a moment later (it
/// changed its certificate, or died mid-handshake, in between) still stops the dialling system.
/// </para>
/// </summary>
internal sealed class HandshakeProbeTransport : Transport
{
    public static readonly TimeSpan RefusalHold = TimeSpan.FromSeconds(5);

    private readonly Transport _wrapped;
    private readonly DotNettySslSetup _setup;
    private readonly ILoggingAdapter _log;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<string, (long Until, string Reason)> _refused = new();

    public HandshakeProbeTransport(Transport wrapped, ExtendedActorSystem system, DotNettySslSetup setup, TimeSpan timeout)
    {
        _wrapped = wrapped;
        _setup = setup;
        _timeout = timeout;
        _log = Logging.GetLogger(system, typeof(HandshakeProbeTransport));
        System = system;
        Config = wrapped.Config;
    }

    public override string SchemeIdentifier => _wrapped.SchemeIdentifier;

    public override long MaximumPayloadBytes => _wrapped.MaximumPayloadBytes;

    public override Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen() => _wrapped.Listen();

    public override bool IsResponsibleFor(Address remote) => _wrapped.IsResponsibleFor(remote);

    public override Task<bool> Shutdown() => _wrapped.Shutdown();

    public override Task<bool> ManagementCommand(object message) => _wrapped.ManagementCommand(message);

    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        var key = $"{remoteAddress.Host}:{remoteAddress.Port}";
        var now = Stopwatch.GetTimestamp();
        if (_refused.TryGetValue(key, out var held) && now < held.Until)
        {
            throw new InvalidAssociationException($"TLS handshake with {remoteAddress} refused: {held.Reason}");
        }
        if (await HandshakeProbe.RefusalAsync(remoteAddress, _setup, _log, _timeout) is { } refusal)
        {
            if (refusal.Connected)
            {
                _log.Warning("TLS handshake with {0} failed ({1}); not associating, next try in {2} s", remoteAddress, refusal.Reason, RefusalHold.TotalSeconds);
                _refused[key] = (Stopwatch.GetTimestamp() + (long)(RefusalHold.TotalSeconds * Stopwatch.Frequency), refusal.Reason);
            }
            throw new InvalidAssociationException($"TLS handshake with {remoteAddress} refused: {refusal.Reason}");
        }
        _refused.TryRemove(key, out _);
        return await _wrapped.Associate(remoteAddress);
    }
}
