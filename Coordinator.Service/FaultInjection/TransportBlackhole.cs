using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;

namespace Coordinator.Service.FaultInjection;

/// <summary>
/// The fault harness's partitions for machines without network namespaces
/// (<c>coordinator.fault-injection.transport-blackhole</c>, honoured only with <c>coordinator.fault-injection.enabled</c>):
/// Akka's throttler adapter wraps the replica's transport, and <see cref="BlackholeCommand"/>s read from standard
/// input drop every message to and from the endpoints they name. Never on in production: the adapter changes the
/// replica's protocol to <see cref="Protocol"/>, which plain clients cannot reach.
/// </summary>
internal static class TransportBlackhole
{
    public const string Protocol = "akka.trttl.tcp";

    public static bool Enabled(Config config) =>
        config.GetBoolean("coordinator.fault-injection.enabled", false)
        && config.GetBoolean("coordinator.fault-injection.transport-blackhole", false);

    /// <summary>The HOCON that puts the throttler in front of the TCP transport.</summary>
    public static Config AkkaConfig { get; } = ConfigurationFactory.ParseString(
        $"akka.remote.dot-netty.tcp.applied-adapters = [\"{ThrottleTransportAdapter.Scheme}\"]");

    /// <summary>What <see cref="ForwardCommandsAsync"/> prints, before the command line, once every target applied it.</summary>
    public const string AppliedPrefix = "fault-injection applied: ";

    private static readonly TimeSpan ApplyBound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Hands every command line of <paramref name="input"/> to each of <paramref name="targets"/> until the input ends,
    /// and once all of them applied it prints <see cref="AppliedPrefix"/> and the line on <paramref name="output"/>; a
    /// line that is not a command is reported on <paramref name="errors"/> and changes nothing.
    /// </summary>
    public static async Task ForwardCommandsAsync(TextReader input, IReadOnlyList<IActorRef> targets, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                var command = BlackholeCommand.Parse(line);
                await Task.WhenAll(targets.Select(target => target.Ask<BlackholeApplied>(command, ApplyBound, cancellationToken)));
                await output.WriteLineAsync(AppliedPrefix + line);
                await output.FlushAsync(cancellationToken);
            }
            catch (FormatException invalid)
            {
                await errors.WriteLineAsync($"error: {invalid.Message}");
            }
            catch (AskTimeoutException)
            {
                await errors.WriteLineAsync($"error: '{line}' was not applied within {ApplyBound.TotalSeconds:F0} s");
            }
        }
    }
}
