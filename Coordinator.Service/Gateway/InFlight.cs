namespace Coordinator.Service.Gateway;

/// <summary>Requests and write bytes one session or one client has unanswered at a gateway.</summary>
internal sealed class InFlight
{
    public int Requests { get; set; }

    public long Bytes { get; set; }

    public bool IsIdle => Requests == 0 && Bytes == 0;
}
