using System.Diagnostics.Metrics;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Tag = Coordinator.Core.Protocol.TransactionCodec.Tag;

namespace Coordinator.Service.Operations;

/// <summary>
/// The meter <c>Coordinator.Gateway</c> of one replica's client gateway: requests answered by operation and result,
/// requests refused unrun by reason, and the sessions and watches attached here. Every tag is a cached pair, so
/// counting a request allocates nothing.
/// </summary>
internal sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Coordinator.Gateway";

    private static readonly KeyValuePair<string, object?>[] WriteOperations = Tags("operation", Enum.GetValues<Tag>(), tag => (int)tag);
    private static readonly KeyValuePair<string, object?>[] ReadOperations = Tags("operation", Enum.GetValues<ReadKind>(), kind => (int)kind);
    private static readonly KeyValuePair<string, object?>[] Results = Tags("result", Enum.GetValues<ErrorCode>(), code => (int)code);
    private static readonly KeyValuePair<string, object?>[] Reasons = Tags("reason", Enum.GetValues<RejectReason>(), reason => (int)reason);
    private static readonly KeyValuePair<string, object?> Attach = new("operation", "attach");
    private static readonly KeyValuePair<string, object?> Watch = new("operation", "watch");
    private static readonly KeyValuePair<string, object?> Ok = Results[(int)ErrorCode.Ok];
    private static readonly KeyValuePair<string, object?> UnknownResult = new("result", "unknown");
    private static readonly KeyValuePair<string, object?> UnknownReason = new("reason", "unknown");

    private readonly Counter<long> _requests;
    private readonly Counter<long> _rejected;
    private int _attachedSessions;
    private int _watches;

    public GatewayMetrics()
    {
        Meter = new Meter(MeterName, typeof(GatewayMetrics).Assembly.GetName().Version?.ToString());
        _requests = Meter.CreateCounter<long>("coordinator.gateway.requests", "{request}",
            "Requests answered, by operation and result (ok, or the error code the tree answered).");
        _rejected = Meter.CreateCounter<long>("coordinator.gateway.rejected", "{request}",
            "Requests refused before they ran, by reason (too many in flight, too large, no quorum, not the session's owner...).");
        Meter.CreateObservableGauge("coordinator.gateway.sessions", () => Volatile.Read(ref _attachedSessions), "{session}",
            "Sessions attached to this gateway.");
        Meter.CreateObservableGauge("coordinator.gateway.watches", () => Volatile.Read(ref _watches), "{watch}",
            "Watches registered at this gateway.");
    }

    public Meter Meter { get; }

    /// <summary>A write's answer arrived from the log; <paramref name="operation"/> is null when no request waits for it.</summary>
    public void WriteApplied(Tag? operation, byte[] result)
    {
        if (operation is { } tag)
        {
            _requests.Add(1, WriteOperations[(int)tag], ResultOf(result));
        }
    }

    public void SyncAnswered() => _requests.Add(1, WriteOperations[(int)Tag.Sync], Ok);

    public void ReadAnswered(ReadKind kind, ErrorCode code) => _requests.Add(1, ReadOperations[(int)kind], Results[(int)code]);

    /// <summary>Every message the gateway sends a client passes here: refusals and acknowledgements are counted.</summary>
    public void Sent(ClientMessage message)
    {
        switch (message)
        {
            case RequestRejected rejected:
                _rejected.Add(1, (int)rejected.Reason < Reasons.Length ? Reasons[(int)rejected.Reason] : UnknownReason);
                break;
            case AttachResponse:
                _requests.Add(1, Attach, Ok);
                break;
            case WatchAck:
                _requests.Add(1, Watch, Ok);
                break;
        }
    }

    public void Observe(int attachedSessions, int watches)
    {
        Volatile.Write(ref _attachedSessions, attachedSessions);
        Volatile.Write(ref _watches, watches);
    }

    public void Dispose() => Meter.Dispose();

    /// <summary>The error code of an encoded result, read from its first bytes (Error and MultiError carry it second).</summary>
    private static KeyValuePair<string, object?> ResultOf(byte[] result) =>
        ResultCodec.PeekCode(result) is { } code && (int)code < Results.Length ? Results[(int)code] : UnknownResult;

    private static KeyValuePair<string, object?>[] Tags<T>(string key, T[] values, Func<T, int> index)
        where T : struct, Enum
    {
        var tags = new KeyValuePair<string, object?>[values.Max(index) + 1];
        Array.Fill(tags, new KeyValuePair<string, object?>(key, "unknown"));
        foreach (var value in values)
        {
            tags[index(value)] = new KeyValuePair<string, object?>(key, SnakeCase(value.ToString()));
        }
        return tags;
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
