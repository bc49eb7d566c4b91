using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Serialization;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// The embedded reference.conf is the one source of defaults. Every key of every settings section in it is
/// taken away and changed in turn, and <see cref="ReplicaSettings.Create"/> (which hands each section to its
/// subsystem's own Create) must notice: a missing key is refused (or, where code keeps a fallback, gives exactly
/// the file's value), and a changed key is refused or changes the settings (so no documented key is ignored).
/// Settings built from the file alone succeed, so the code reads no key the file lacks; and the defaults the
/// pure core carries in code for the simulation equal the file's.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class SettingsTests
{
    /// <summary>
    /// The sections ReplicaSettings reads. Not here: coordinator.replicas (the replica set, which has no default)
    /// and coordinator.fault-injection (test hooks read where they act, off in code and file alike).
    /// </summary>
    private static readonly string[] Sections = ["replica", "storage", "state-machine", "gateway", "security"];

    private const string ReplicaSet = """replicas { 1 = "127.0.0.1:1", 2 = "127.0.0.1:2", 3 = "127.0.0.1:3" }""";

    /// <summary>The core's in-code defaults beside what reference.conf gives; a subsystem with its own adds a line.</summary>
    private static readonly (string Name, object CodeDefault, Func<ReplicaSettings, object> FromFile)[] CodeDefaults =
    [
        ("state machine", StateMachineSettings.Default, s => s.StateMachine),
        ("paxos", new PaxosOptions { ReplicaIds = [1, 2, 3] }, s => s.Paxos),
    ];

    [Fact]
    public void Settings_build_from_reference_conf_alone()
    {
        var settings = ReplicaSettings.Create(Render());
        Assert.Equal(1, settings.ReplicaId);
        Assert.Equal(4 << 20, settings.Paxos.MaxBatchBytes);
    }

    [Fact]
    public void Every_code_default_equals_reference_conf()
    {
        var fromFile = ReplicaSettings.Create(Render());
        foreach (var (name, codeDefault, read) in CodeDefaults)
        {
            var difference = StructuralEquality.FirstDifference(codeDefault, read(fromFile), name);
            Assert.True(difference is null, $"code default differs from reference.conf: {difference}");
        }
    }

    [Fact]
    public void Every_key_of_reference_conf_is_required_and_read()
    {
        var baseline = ReplicaSettings.Create(Render());
        var failures = new List<string>();
        var keys = 0;
        foreach (var section in Sections)
        {
            foreach (var (key, value) in Keys(section))
            {
                keys++;
                var name = $"coordinator.{section}.{key}";
                if (Outcome(Render(section, key, null)) is { } without && StructuralEquality.FirstDifference(baseline, without) is { } fallback)
                {
                    failures.Add($"{name}: without it the code falls back to something else ({fallback})");
                }
                var changed = Changed(Baseline(section, key, value));
                if (Outcome(Render(section, key, changed)) is { } with && StructuralEquality.FirstDifference(baseline, with) is null)
                {
                    failures.Add($"{name}: changing it from '{value}' to '{changed}' changes nothing, so nothing reads it");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(keys > 30, $"only {keys} keys found");
    }

    /// <summary>The settings, or null when the configuration is refused (which is the right answer to a missing key).</summary>
    private static ReplicaSettings? Outcome(Config config)
    {
        try
        {
            return ReplicaSettings.Create(config);
        }
        catch (ConfigurationException)
        {
            return null;
        }
    }

    private static IEnumerable<(string Key, string Value)> Keys(string section) =>
        ReplicaHost.ReferenceConfig.GetConfig($"coordinator.{section}").AsEnumerable().Select(e => (e.Key, e.Value.GetString()));

    /// <summary>
    /// The settings sections of reference.conf written out alone, with no fallback (so a key taken away is really
    /// gone), as replica 1 of three, with one key of one section replaced or (value null) left out.
    /// </summary>
    private static Config Render(string? section = null, string? key = null, string? value = null)
    {
        var text = new StringBuilder("coordinator {\n").Append(ReplicaSet).Append('\n');
        foreach (var name in Sections)
        {
            text.Append(name).Append(" {\n");
            foreach (var (k, v) in Keys(name))
            {
                var written = name == section && k == key ? value : Baseline(name, k, v);
                if (written is not null)
                {
                    text.Append('"').Append(k).Append("\" = \"").Append(written.Replace("\"", "\\\"")).Append("\"\n");
                }
            }
            text.Append("}\n");
        }
        return ConfigurationFactory.ParseString(text.Append('}').ToString());
    }

    /// <summary>The file's value, except the replica id: the file's 0 names no replica, so this is replica 1.</summary>
    private static string Baseline(string section, string key, string value) => section == "replica" && key == "id" ? "1" : value;

    /// <summary>A different value of the same form: numbers and sizes or durations 2n+1, switches flipped, text extended.</summary>
    private static string Changed(string value)
    {
        if (long.TryParse(value, out var number))
        {
            return (2 * number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (WithUnit().Match(value) is { Success: true } match)
        {
            return (2 * long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1) + match.Groups[2].Value;
        }
        return value switch
        {
            "on" => "off",
            "off" => "on",
            _ => value + "-changed",
        };
    }

    [GeneratedRegex("^([0-9]+)\\s*([A-Za-z]+)$")]
    private static partial Regex WithUnit();
}
