using System.Text.Json;

namespace Coordinator.Faults.History;

/// <summary>
/// A history on disk: one JSON object per line, an "invoke" line when an operation starts and a "complete" line when it
/// ends, in the order they happened, so a run that dies midway still leaves a readable prefix. Reading pairs them back
/// into <see cref="Operation"/>s; an invoke with no complete becomes <see cref="Outcome.Unknown"/>.
/// </summary>
public sealed class HistoryFile : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public HistoryFile(string path)
    {
        Path = path;
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    public string Path { get; }

    public void Invoked(Operation operation) => Write(new Line("invoke", operation));

    public void Completed(Operation operation) => Write(new Line("complete", operation));

    public static IReadOnlyList<Operation> Read(string path)
    {
        var operations = new Dictionary<long, Operation>();
        foreach (var text in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            var line = JsonSerializer.Deserialize<Line>(text, Json) ?? throw new InvalidDataException($"{path}: empty line object");
            operations[line.Operation.Id] = line.Type switch
            {
                "invoke" => line.Operation with { CompletedNanos = null, Outcome = Outcome.Unknown, Result = null },
                "complete" => line.Operation,
                _ => throw new InvalidDataException($"{path}: unknown line type '{line.Type}'"),
            };
        }
        return [.. operations.Values.OrderBy(operation => operation.InvokedNanos).ThenBy(operation => operation.Id)];
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    private void Write(Line line)
    {
        var text = JsonSerializer.Serialize(line, Json);
        lock (_gate)
        {
            _writer.WriteLine(text);
        }
    }

    private sealed record Line(string Type, Operation Operation);
}
