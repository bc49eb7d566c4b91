namespace Coordinator.Service.Gateway;

// The gateway's own timer and bookkeeping messages (never on the wire).

internal sealed record RetryWrite(WriteKey Key);

internal sealed record RetryReadIndex(long ReadId);

internal sealed class GatewaySweepTick
{
    public static readonly GatewaySweepTick Instance = new();

    private GatewaySweepTick()
    {
    }
}

internal sealed class LivenessReportTick
{
    public static readonly LivenessReportTick Instance = new();

    private LivenessReportTick()
    {
    }
}
