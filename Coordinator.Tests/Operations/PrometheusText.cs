using System.Globalization;
using System.Text;

namespace Coordinator.Tests.Operations;

/// <summary>
/// A strict reader of Prometheus' text exposition format (0.0.4): every line is a HELP or TYPE comment, another
/// comment, blank, or a sample whose name, labels and value are well formed; a family's TYPE comes once, before its
/// samples, and its samples are contiguous; counters end in _total, histograms have le-labelled buckets with +Inf, _sum
/// and _count. Anything else throws <see cref="FormatException"/> naming the line.
/// </summary>
internal sealed class PrometheusText
{
    private readonly Dictionary<string, string> _types = [];

    private PrometheusText()
    {
    }

    public List<Sample> Samples { get; } = [];

    public IReadOnlyDictionary<string, string> Types => _types;

    public static PrometheusText Parse(string text)
    {
        var parsed = new PrometheusText();
        var finished = new HashSet<string>();
        string? current = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (i == lines.Length - 1 && line.Length == 0)
            {
                break;
            }
            try
            {
                parsed.ReadLine(line, finished, ref current);
            }
            catch (FormatException bad)
            {
                throw new FormatException($"line {i + 1} '{line}': {bad.Message}", bad);
            }
        }
        foreach (var (family, type) in parsed._types.Where(entry => entry.Value == "histogram"))
        {
            CheckHistogram(family, parsed.Samples.Where(sample => parsed.FamilyOf(sample.Name) == family).ToList());
        }
        return parsed;
    }

    /// <summary>The one sample of <paramref name="name"/> whose labels include every one of <paramref name="labels"/>, summed if several.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(sample => sample.Name == name && labels.All(label => sample.Labels.TryGetValue(label.Key, out var value) && value == label.Value))
            .Sum(sample => sample.Value);

    public bool Has(string name) => Samples.Any(sample => sample.Name == name);

    private void ReadLine(string line, HashSet<string> finished, ref string? current)
    {
        if (line.Length == 0)
        {
            return;
        }
        if (line.StartsWith('#'))
        {
            var parts = line.Split(' ', 4);
            if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
            {
                var family = parts[2];
                CheckMetricName(family);
                if (parts[1] == "TYPE")
                {
                    var type = parts.Length == 4 ? parts[3] : throw new FormatException("TYPE without a type");
                    if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        throw new FormatException($"unknown type {type}");
                    }
                    if (!_types.TryAdd(family, type))
                    {
                        throw new FormatException($"a second TYPE for {family}");
                    }
                    if (Samples.Any(sample => FamilyOf(sample.Name) == family))
                    {
                        throw new FormatException($"TYPE of {family} after its samples");
                    }
                    if (type == "counter" && !family.EndsWith("_total", StringComparison.Ordinal))
                    {
                        throw new FormatException($"counter {family} does not end in _total");
                    }
                }
            }
            return;
        }
        var sample = ReadSample(line);
        var owner = FamilyOf(sample.Name);
        if (owner != current)
        {
            if (current is not null)
            {
                finished.Add(current);
            }
            if (finished.Contains(owner))
            {
                throw new FormatException($"samples of {owner} are not contiguous");
            }
            current = owner;
        }
        Samples.Add(sample);
    }

    private string FamilyOf(string sampleName)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && _types.TryGetValue(sampleName[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return sampleName[..^suffix.Length];
            }
        }
        return sampleName;
    }

    private static Sample ReadSample(string line)
    {
        var position = 0;
        while (position < line.Length && line[position] is not ('{' or ' '))
        {
            position++;
        }
        var name = line[..position];
        CheckMetricName(name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (line[position] != '}')
            {
                var equals = line.IndexOf('=', position);
                if (equals < 0)
                {
                    throw new FormatException("a label without '='");
                }
                var key = line[position..equals];
                if (key.Length == 0 || !(char.IsAsciiLetter(key[0]) || key[0] == '_') || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    throw new FormatException($"bad label name '{key}'");
                }
                position = equals + 1;
                if (line[position] != '"')
                {
                    throw new FormatException($"label {key} is not quoted");
                }
                position++;
                var value = new StringBuilder();
                while (line[position] != '"')
                {
                    if (line[position] == '\\')
                    {
                        position++;
                        value.Append(line[position] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new FormatException($"bad escape \\{other}"),
                        });
                    }
                    else
                    {
                        value.Append(line[position]);
                    }
                    position++;
                }
                position++;
                if (!labels.TryAdd(key, value.ToString()))
                {
                    throw new FormatException($"label {key} twice");
                }
                if (line[position] == ',')
                {
                    position++;
                }
                else if (line[position] != '}')
                {
                    throw new FormatException("labels not separated by ','");
                }
            }
            position++;
        }
        if (position >= line.Length || line[position] != ' ')
        {
            throw new FormatException("no space before the value");
        }
        var rest = line[(position + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException("expected a value and at most a timestamp");
        }
        return new Sample(name, labels, ParseValue(rest[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a number"),
    };

    private static void CheckMetricName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or ':')
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
        {
            throw new FormatException($"bad metric name '{name}'");
        }
    }

    private static void CheckHistogram(string family, List<Sample> samples)
    {
        var series = samples.GroupBy(sample => string.Join(",", sample.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")));
        foreach (var one in series)
        {
            var buckets = one.Where(sample => sample.Name == family + "_bucket").ToList();
            var count = one.SingleOrDefault(sample => sample.Name == family + "_count")
                ?? throw new FormatException($"histogram {family} {{{one.Key}}} has no _count");
            if (one.Count(sample => sample.Name == family + "_sum") != 1)
            {
                throw new FormatException($"histogram {family} {{{one.Key}}} has no single _sum");
            }
            if (buckets.Count == 0 || buckets[^1].Labels.GetValueOrDefault("le") != "+Inf" || buckets[^1].Value != count.Value)
            {
                throw new FormatException($"histogram {family} {{{one.Key}}} does not end in an +Inf bucket equal to its count");
            }
            for (var i = 1; i < buckets.Count; i++)
            {
                if (buckets[i].Value < buckets[i - 1].Value)
                {
                    throw new FormatException($"histogram {family} {{{one.Key}}} has decreasing cumulative buckets");
                }
            }
        }
    }

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
