namespace Coordinator.Service.Runtime;

internal sealed class ReplicaTick
{
    public static readonly ReplicaTick Instance = new();

    private ReplicaTick()
    {
    }
}
