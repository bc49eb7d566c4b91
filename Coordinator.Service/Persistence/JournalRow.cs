namespace Coordinator.Service.Persistence;

/// <summary>One event as the journal table holds it: the payload already serialized, with its serializer and manifest.</summary>
internal sealed record JournalRow(
    string PersistenceId, long SequenceNr, byte[] Message, string Manifest, int SerializerId, string? WriterUuid, long CreatedTicks);
