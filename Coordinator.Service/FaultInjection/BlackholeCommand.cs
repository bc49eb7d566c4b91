using System.Globalization;

namespace Coordinator.Service.FaultInjection;

/// <summary>
/// One line of the fault harness on a replica's standard input: <c>blackhole [clients] [host:port ...]</c> names
/// everything the replica is cut off from from now on (replaces the previous cut); <c>blackhole</c> alone heals.
/// </summary>
internal sealed record BlackholeCommand(IReadOnlySet<(string Host, int Port)> Endpoints, bool Clients)
{
    /// <exception cref="FormatException">The line is not a blackhole command; the message says why.</exception>
    public static BlackholeCommand Parse(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words is not ["blackhole", ..])
        {
            throw new FormatException($"'{line}' is not a command: expected \"blackhole [clients] [host:port ...]\"");
        }
        var clients = false;
        var endpoints = new HashSet<(string, int)>();
        foreach (var word in words.Skip(1))
        {
            if (word == "clients")
            {
                clients = true;
                continue;
            }
            var colon = word.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(word.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is 0 or > 65535)
            {
                throw new FormatException($"'{word}' in '{line}' is neither \"clients\" nor host:port");
            }
            endpoints.Add((word[..colon], port));
        }
        return new BlackholeCommand(endpoints, clients);
    }

    public override string ToString() =>
        Endpoints.Count == 0 && !Clients ? "heal" : string.Join(' ', (Clients ? ["clients"] : Array.Empty<string>()).Concat(Endpoints.Select(endpoint => $"{endpoint.Host}:{endpoint.Port}")));
}
