namespace Coordinator.Tests.Simulation;

/// <summary>The last events of a run, kept cheaply as raw parts and formatted only when a run fails.</summary>
internal sealed class SimTrace(int capacity = 120)
{
    private readonly (long Time, string What, int Replica, object? Detail)[] _ring = new (long, string, int, object?)[capacity];
    private long _count;

    public void Record(long time, string what, int replica, object? detail = null) =>
        _ring[_count++ % capacity] = (time, what, replica, detail);

    public override string ToString()
    {
        var lines = new List<string>();
        for (var i = Math.Max(0, _count - capacity); i < _count; i++)
        {
            var (time, what, replica, detail) = _ring[i % capacity];
            lines.Add($"  t={time,6} r{replica} {what} {detail}");
        }
        return string.Join('\n', lines);
    }
}
