namespace Coordinator.Bench;

/// <summary>Latencies of the operations that completed inside the measured window, and their percentiles.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<double> _milliseconds = [];

    public int Count
    {
        get
        {
            lock (_milliseconds)
            {
                return _milliseconds.Count;
            }
        }
    }

    public void Record(TimeSpan latency)
    {
        lock (_milliseconds)
        {
            _milliseconds.Add(latency.TotalMilliseconds);
        }
    }

    public double Mean
    {
        get
        {
            lock (_milliseconds)
            {
                return _milliseconds.Count == 0 ? double.NaN : _milliseconds.Average();
            }
        }
    }

    public double Percentile(double quantile)
    {
        lock (_milliseconds)
        {
            if (_milliseconds.Count == 0)
            {
                return double.NaN;
            }
            _milliseconds.Sort();
            return _milliseconds[Math.Min(_milliseconds.Count - 1, (int)(quantile * _milliseconds.Count))];
        }
    }
}
