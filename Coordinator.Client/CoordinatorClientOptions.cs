using Akka.Configuration;
using Microsoft.Extensions.Logging;

namespace Coordinator.Client;

/// <summary>How a <see cref="CoordinatorClient"/> reaches the cluster and keeps its session.</summary>
public sealed class CoordinatorClientOptions
{
    /// <summary>Every replica as "host:port" (the Akka.Remote endpoint of its gateway). The client tries them in turn.</summary>
    public IList<string> Servers { get; init; } = [];

    /// <summary>The session timeout asked for; the cluster may negotiate it into its own bounds.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one replica has to answer a request before the client moves to the next replica and resends it there.
    /// A call fails with <see cref="ConnectionLossException"/> once every server has had its turn without answering.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long <see cref="CoordinatorClient.ConnectAsync"/> may take to create and attach a session.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The local address the client's endpoint binds to; replicas send responses and events to it.</summary>
    public string LocalHostname { get; init; } = "127.0.0.1";

    /// <summary>The server's data limit; larger data is refused locally with <see cref="DataTooLargeException"/>.</summary>
    public int MaxDataBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// The gateways' limit on one encoded request (<c>coordinator.gateway.max-request-bytes</c>, 1088 KiB by
    /// default): larger requests, such as a multi of many large values, fail at once with
    /// <see cref="RequestTooLargeException"/> and are never sent.
    /// </summary>
    public int MaxRequestBytes { get; init; } = 1088 * 1024;

    /// <summary>
    /// Extra HOCON laid over the client's ActorSystem settings (for example Akka.Remote transport options that the
    /// replicas use too). Clients of one process with the same <see cref="LocalHostname"/> and <see cref="AkkaConfig"/>
    /// share one ActorSystem. The replicas are addressed with the protocol of this system's own transport.
    /// </summary>
    public string AkkaConfig { get; init; } = "";

    /// <summary>
    /// TLS to the replicas (which then run with <c>coordinator.tls.enabled = on</c>); null speaks plain TCP, which a
    /// TLS cluster refuses.
    /// </summary>
    public CoordinatorTlsOptions? Tls { get; init; }

    /// <summary>
    /// The id of the cluster this client means to use (<c>coord status</c> shows each replica's). When set, connecting
    /// first asks the servers for theirs and fails with <see cref="ClusterMismatchException"/> if any that answers
    /// belongs to another cluster, so a wrong server list cannot create a session there.
    /// </summary>
    public string? ExpectedClusterId { get; init; }

    /// <summary>
    /// The user the session logs in as; null for an anonymous session, which a cluster with
    /// <c>coordinator.security.allow-anonymous = off</c> refuses. Wrong credentials fail
    /// <see cref="CoordinatorClient.ConnectAsync"/> with <see cref="AuthFailedException"/>. The password travels to the
    /// gateway with the session's create: use TLS (<see cref="Tls"/>) anywhere but loopback.
    /// </summary>
    public CoordinatorCredentials? Credentials { get; init; }

    /// <summary>
    /// Where the client logs, under the category <c>Coordinator.Client</c>: connection state changes, servers that did
    /// not answer, callbacks that threw. Without one it logs through its ActorSystem's Akka logger.
    /// <c>services.AddCoordinatorClient</c> sets the container's own.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        if (Servers.Count == 0)
        {
            throw new ArgumentException("Servers is empty: at least one \"host:port\" is required.", nameof(Servers));
        }
        foreach (var server in Servers)
        {
            _ = GatewayAddress.Endpoint(server);
        }
        Positive(SessionTimeout, nameof(SessionTimeout));
        Positive(RequestTimeout, nameof(RequestTimeout));
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        if (MaxDataBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDataBytes), MaxDataBytes, $"MaxDataBytes is {MaxDataBytes}: must be 0 or more.");
        }
        if (MaxRequestBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBytes), MaxRequestBytes, $"MaxRequestBytes is {MaxRequestBytes}: must be 1 or more.");
        }
        if (Credentials is { } credentials)
        {
            if (!Core.StateMachine.AclRules.IsValidUserName(credentials.User))
            {
                throw new ArgumentException(
                    $"Credentials.User '{credentials.User}' is not a user name: 1 to 256 characters, no colon, space or control character.", nameof(Credentials));
            }
            ArgumentNullException.ThrowIfNull(credentials.Password, "Credentials.Password");
        }
        if (Tls is { } tls)
        {
            _ = CertificateFiles.LoadAuthorities(tls.CaCertificatePath);
            if (tls.CertificatePath is { Length: > 0 } certificate)
            {
                CertificateFiles.LoadIdentity(certificate, tls.PrivateKeyPath, tls.Password).Dispose();
            }
        }
        try
        {
            _ = ConfigurationFactory.ParseString(AkkaConfig);
        }
        catch (Exception invalid) when (invalid is not OutOfMemoryException)
        {
            throw new ArgumentException($"AkkaConfig is not valid HOCON: {invalid.Message}", nameof(AkkaConfig), invalid);
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}: must be more than zero.");
        }
    }
}
