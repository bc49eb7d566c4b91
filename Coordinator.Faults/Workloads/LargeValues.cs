using System.Security.Cryptography;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// The values of the large-sets workload: each element's node holds <see cref="MinBytes"/> to <see cref="MaxBytes"/>
/// (the service's data limit) of pseudo-random bytes seeded per element, so two elements practically never share a
/// value and a value moved to another element is caught. A run writes at most <see cref="MaxValues"/> values and
/// <c>budgetBytes</c> in all (by default <see cref="DefaultBudgetBytes"/>), so a 20-60 s run stays within a few hundred
/// MB per replica. Only each value's SHA-256 is kept, for the byte-exact comparison after the restart.
/// </summary>
internal sealed class LargeValues(int seed, long budgetBytes)
{
    public const int MinBytes = 64 * 1024;
    public const int MaxBytes = 1024 * 1024;
    public const int MaxValues = 256;
    public const long DefaultBudgetBytes = 128L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, byte[]> _digests = [];
    private long _bytes;

    /// <summary>The value for a new element, or null once the run's budget is spent.</summary>
    public byte[]? Next(long element)
    {
        var random = new Random(HashCode.Combine(seed, element));
        var value = new byte[random.Next(MinBytes, MaxBytes + 1)];
        lock (_gate)
        {
            if (_digests.Count >= MaxValues || _bytes + value.Length > budgetBytes)
            {
                return null;
            }
            _bytes += value.Length;
        }
        random.NextBytes(value);
        var digest = SHA256.HashData(value);
        lock (_gate)
        {
            _digests[element] = digest;
        }
        return value;
    }

    /// <summary>Null when the element's value is the one written (or the element was never written here); else why not.</summary>
    public string? Mismatch(long element, byte[] read)
    {
        byte[]? expected;
        lock (_gate)
        {
            expected = _digests.GetValueOrDefault(element);
        }
        return expected is null || SHA256.HashData(read).AsSpan().SequenceEqual(expected)
            ? null
            : $"e{element}: {read.Length} bytes read, SHA-256 {Convert.ToHexString(SHA256.HashData(read))[..16]}... differs from the value written ({Convert.ToHexString(expected)[..16]}...)";
    }

    public (int Values, long Bytes) Written
    {
        get
        {
            lock (_gate)
            {
                return (_digests.Count, _bytes);
            }
        }
    }
}
