using System.Diagnostics;
using Coordinator.Faults.Cluster;

namespace Coordinator.Faults.Network;

/// <summary>
/// A private network for one run: each replica in its own network namespace with one address on 10.77.N.0/24,
/// joined by veth pairs to a bridge in the harness's namespace, which holds the clients' address 10.77.N.1.
/// Partitions are nft rules inside the replicas' namespaces, so they drop real packets of established connections
/// too. N is claimed through a state file under /run/coordinator-faults (owner pid inside), so concurrent runs do
/// not collide and leftovers of a crashed run are recognised and removed by the next one.
/// </summary>
internal sealed class NamespaceNetwork : IFaultNetwork
{
    private const int Port = 4000;
    private const string StateDirectory = "/run/coordinator-faults";
    private const string Table = "coordinator_faults";
    private readonly int _subnet;
    private readonly int[] _replicas;
    private readonly Action<string> _log;
    private int _disposed;

    private NamespaceNetwork(int subnet, int[] replicas, Action<string> log)
    {
        _subnet = subnet;
        _replicas = replicas;
        _log = log;
    }

    public string Description => $"namespaces on 10.77.{_subnet}.0/24, cuts by nft";

    public string ClientHost => $"10.77.{_subnet}.1";

    public string ClientAkkaConfig => "";

    public string ReplicaFaultInjectionConfig => "transport-blackhole = off";

    /// <summary>Namespaces need root, iproute2 and nft.</summary>
    public static string? Unavailable() =>
        !Environment.IsPrivilegedProcess ? "not running as root"
        : !Shell.Exists("ip") ? "iproute2 (ip) is not installed"
        : !Shell.Exists("nft") ? "nft is not installed (apt-get install -y nftables)"
        : null;

    public static NamespaceNetwork Create(IReadOnlyList<int> replicas, Action<string> log)
    {
        RemoveStale(log);
        var subnet = Claim();
        var network = new NamespaceNetwork(subnet, [.. replicas], log);
        try
        {
            network.Build();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public string Endpoint(int id) => $"{ReplicaHost(id)}:{Port}";

    /// <summary>Runs the replica inside its namespace.</summary>
    public IReadOnlyList<string> Launcher(int id) => ["ip", "netns", "exec", Namespace(_subnet, id)];

    public void Apply(Cut cut, IReadOnlyDictionary<int, ReplicaNode> replicas)
    {
        foreach (var id in _replicas)
        {
            var dropped = _replicas.Where(other => other != id && cut.Drops(id, other)).Select(ReplicaHost).ToList();
            if (cut.IsolatedFromClients.Contains(id))
            {
                dropped.Add(ClientHost);
            }
            var rules = dropped.Count == 0
                ? ""
                : $"add rule inet {Table} input ip saddr {{ {string.Join(", ", dropped)} }} drop\n"
                  + $"add rule inet {Table} output ip daddr {{ {string.Join(", ", dropped)} }} drop\n";
            Nft(id, $"flush chain inet {Table} input\nflush chain inet {Table} output\n{rules}");
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Remove(_subnet);
        }
    }

    private string ReplicaHost(int id) => $"10.77.{_subnet}.{10 + id}";

    private void Build()
    {
        var bridge = Bridge(_subnet);
        Shell.Ip("link", "add", bridge, "type", "bridge");
        Shell.Ip("addr", "add", $"{ClientHost}/24", "dev", bridge);
        Shell.Ip("link", "set", bridge, "up");
        foreach (var id in _replicas)
        {
            var ns = Namespace(_subnet, id);
            var veth = $"cf{_subnet}v{id}";
            Shell.Ip("netns", "add", ns);
            Shell.Ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            Shell.Ip("link", "set", veth, "master", bridge, "up");
            Shell.Ip("-n", ns, "addr", "add", $"{ReplicaHost(id)}/24", "dev", "eth0");
            Shell.Ip("-n", ns, "link", "set", "eth0", "up");
            Shell.Ip("-n", ns, "link", "set", "lo", "up");
            Nft(id, $"""
                table inet {Table} {"{"}
                  chain input {"{"} type filter hook input priority 0; policy accept; {"}"}
                  chain output {"{"} type filter hook output priority 0; policy accept; {"}"}
                {"}"}

                """);
        }
        _log($"network 10.77.{_subnet}.0/24: bridge {bridge}, namespaces {string.Join(", ", _replicas.Select(id => Namespace(_subnet, id)))}");
    }

    private void Nft(int id, string script) => Shell.Run("ip", ["netns", "exec", Namespace(_subnet, id), "nft", "-f", "-"], script);

    private static string Namespace(int subnet, int id) => $"cf{subnet}r{id}";

    private static string Bridge(int subnet) => $"cf{subnet}b";

    private static string StateFile(int subnet) => Path.Combine(StateDirectory, $"{subnet}.pid");

    private static int Claim()
    {
        Directory.CreateDirectory(StateDirectory);
        for (var subnet = 1; subnet < 250; subnet++)
        {
            if (Directory.Exists($"/sys/class/net/{Bridge(subnet)}") || Directory.EnumerateFileSystemEntries("/sys/class/net", $"cf{subnet}v*").Any())
            {
                continue;
            }
            // The claim appears with its pid already in it (written aside, then moved without overwriting): a claim
            // seen empty by a concurrent harness would be taken for a crashed run's and its network removed.
            var pending = Path.Combine(StateDirectory, $"{subnet}.{Environment.ProcessId}.claiming");
            File.WriteAllText(pending, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                File.Move(pending, StateFile(subnet), overwrite: false);
                return subnet;
            }
            catch (IOException)
            {
                // Another run holds this subnet.
                File.Delete(pending);
            }
        }
        throw new InvalidOperationException($"no free subnet under 10.77.0.0/16 (see {StateDirectory})");
    }

    /// <summary>Removes the namespaces, bridge and claim of every earlier run whose harness process is gone.</summary>
    private static void RemoveStale(Action<string> log)
    {
        if (!Directory.Exists(StateDirectory))
        {
            return;
        }
        foreach (var file in Directory.GetFiles(StateDirectory, "*.pid"))
        {
            if (!int.TryParse(Path.GetFileNameWithoutExtension(file), out var subnet)
                || (int.TryParse(File.ReadAllText(file).Trim(), out var pid) && Alive(pid)))
            {
                continue;
            }
            log($"removing leftovers of a crashed run on 10.77.{subnet}.0/24");
            Remove(subnet);
        }
    }

    private static void Remove(int subnet)
    {
        var prefix = $"cf{subnet}r";
        foreach (var line in Shell.Run("ip", ["netns", "list"], check: false).Split('\n'))
        {
            var name = line.Split(' ', 2)[0];
            if (name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name[prefix.Length..], out var id))
            {
                // Replicas of a harness that was itself SIGKILLed outlive it inside their namespace.
                foreach (var pid in Shell.Run("ip", ["netns", "pids", name], check: false).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    Shell.Run("kill", ["-KILL", pid.Trim()], check: false);
                }
                // The kernel deletes a namespace's veth pair only some time after the namespace goes; deleting the
                // pair first frees its name at once for the next run on this subnet.
                Shell.IpQuietly("link", "del", $"cf{subnet}v{id}");
                // Deleting the namespace deletes its nft rules.
                Shell.IpQuietly("netns", "del", name);
            }
        }
        Shell.IpQuietly("link", "del", Bridge(subnet));
        File.Delete(StateFile(subnet));
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
