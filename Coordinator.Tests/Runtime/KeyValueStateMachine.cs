using System.Text;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// A minimal replicated state machine for the runtime tests: "key=value" sets a key and answers its previous value.
/// Applies each (session, sequence) once and answers a retry with the first result.
/// </summary>
internal sealed class KeyValueStateMachine : IReplicatedStateMachine
{
    private readonly object _gate = new();
    private SortedDictionary<string, string> _data = new(StringComparer.Ordinal);
    private Dictionary<long, (long Sequence, byte[] Result)> _sessions = [];

    public long AppliedCommands { get; private set; }

    public byte[] Apply(long slot, SlotTime time, Command command)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(command.SessionId, out var last) && command.Sequence <= last.Sequence)
            {
                return command.Sequence == last.Sequence ? last.Result : [];
            }
            var text = Encoding.UTF8.GetString(command.Payload);
            var split = text.IndexOf('=');
            var (key, value) = split < 0 ? (text, "") : (text[..split], text[(split + 1)..]);
            var previous = _data.TryGetValue(key, out var old) ? Encoding.UTF8.GetBytes(old) : [];
            _data[key] = value;
            _sessions[command.SessionId] = (command.Sequence, previous);
            AppliedCommands++;
            return previous;
        }
    }

    public IReadOnlyDictionary<string, string> Data
    {
        get
        {
            lock (_gate)
            {
                return new SortedDictionary<string, string>(_data, StringComparer.Ordinal);
            }
        }
    }

    public byte[] Snapshot()
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            text.Append(AppliedCommands).Append('\n');
            foreach (var (key, value) in _data)
            {
                text.Append("d\t").Append(key).Append('\t').Append(value).Append('\n');
            }
            foreach (var (session, (sequence, result)) in _sessions.OrderBy(entry => entry.Key))
            {
                text.Append("s\t").Append(session).Append('\t').Append(sequence).Append('\t').Append(Convert.ToBase64String(result)).Append('\n');
            }
            return Encoding.UTF8.GetBytes(text.ToString());
        }
    }

    public void Restore(byte[] snapshot)
    {
        lock (_gate)
        {
            var lines = Encoding.UTF8.GetString(snapshot).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            AppliedCommands = long.Parse(lines[0]);
            _data = new SortedDictionary<string, string>(StringComparer.Ordinal);
            _sessions = [];
            foreach (var line in lines.Skip(1))
            {
                var parts = line.Split('\t');
                if (parts[0] == "d")
                {
                    _data[parts[1]] = parts[2];
                }
                else
                {
                    _sessions[long.Parse(parts[1])] = (long.Parse(parts[2]), Convert.FromBase64String(parts[3]));
                }
            }
        }
    }
}
