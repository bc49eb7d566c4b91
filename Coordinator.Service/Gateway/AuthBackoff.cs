namespace Coordinator.Service.Gateway;

/// <summary>
/// How long a login must wait after failed ones, as a pure rule: each key (a client address, a user name) counts its
/// failures; the first <see cref="Rule.FreeFailures"/> cost nothing, then each one doubles the wait from
/// <see cref="Rule.Base"/> up to <see cref="Rule.Max"/>; a success clears the key, and a key with no failure for
/// <see cref="Rule.ForgetAfter"/> is forgotten. A login waits for the longest wait of its keys, so guessing one
/// user's password from many addresses, or many users' from one address, is slowed alike. At most
/// <see cref="Rule.MaxTracked"/> keys are kept (the oldest failure goes first), so a flood of names cannot grow it
/// without bound. Time is the caller's monotonic milliseconds.
/// </summary>
internal sealed class AuthBackoff(AuthBackoff.Rule rule)
{
    private readonly Dictionary<string, (int Failures, long LastAt)> _keys = new(StringComparer.Ordinal);

    /// <param name="FreeFailures">Failures a key may have before any wait.</param>
    /// <param name="Base">The wait after the first failure past the free ones.</param>
    /// <param name="Max">The longest wait.</param>
    /// <param name="ForgetAfter">A key's failures are forgotten this long after its last one.</param>
    /// <param name="MaxTracked">Keys kept at most.</param>
    internal sealed record Rule(int FreeFailures, TimeSpan Base, TimeSpan Max, TimeSpan ForgetAfter, int MaxTracked);

    public int Tracked => _keys.Count;

    /// <summary>How long a login with these keys must still wait at <paramref name="now"/>; zero when it may go ahead.</summary>
    public TimeSpan WaitBefore(IEnumerable<string> keys, long now)
    {
        var longest = TimeSpan.Zero;
        foreach (var key in keys)
        {
            if (!_keys.TryGetValue(key, out var entry) || Forgotten(entry.LastAt, now))
            {
                continue;
            }
            var remaining = WaitAfter(rule, entry.Failures) - TimeSpan.FromMilliseconds(now - entry.LastAt);
            if (remaining > longest)
            {
                longest = remaining;
            }
        }
        return longest;
    }

    public void Failed(IEnumerable<string> keys, long now)
    {
        foreach (var key in keys)
        {
            var failures = _keys.TryGetValue(key, out var entry) && !Forgotten(entry.LastAt, now) ? entry.Failures : 0;
            _keys[key] = (failures + 1, now);
        }
        Trim(now);
    }

    public void Succeeded(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            _keys.Remove(key);
        }
    }

    /// <summary>The wait a key earns with <paramref name="failures"/> failures: none for the free ones, then doubling, capped.</summary>
    public static TimeSpan WaitAfter(Rule rule, int failures)
    {
        var paid = failures - rule.FreeFailures;
        if (paid <= 0)
        {
            return TimeSpan.Zero;
        }
        var doublings = Math.Min(paid - 1, 30);
        var wait = rule.Base.TotalMilliseconds * (1L << doublings);
        return TimeSpan.FromMilliseconds(Math.Min(wait, rule.Max.TotalMilliseconds));
    }

    private bool Forgotten(long lastAt, long now) => now - lastAt > rule.ForgetAfter.TotalMilliseconds;

    private void Trim(long now)
    {
        foreach (var stale in _keys.Where(entry => Forgotten(entry.Value.LastAt, now)).Select(entry => entry.Key).ToList())
        {
            _keys.Remove(stale);
        }
        if (_keys.Count <= rule.MaxTracked)
        {
            return;
        }
        foreach (var oldest in _keys.OrderBy(entry => entry.Value.LastAt).Take(_keys.Count - rule.MaxTracked).Select(entry => entry.Key).ToList())
        {
            _keys.Remove(oldest);
        }
    }
}
