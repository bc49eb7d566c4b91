using Akka.Configuration;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Strict reads of one HOCON section. Akka's getters answer 0 or "" for a missing key; these throw a
/// <see cref="ConfigurationException"/> naming it, so the embedded reference.conf is the only source of defaults
/// and a key the code reads but the file lacks cannot go unnoticed.
/// </summary>
internal readonly struct HoconSection(Config? section, string path)
{
    public string Path => path;

    public int Int(string key) => Read(key, c => c.GetInt(key));

    public long Long(string key) => Read(key, c => c.GetLong(key));

    public TimeSpan Duration(string key) => Read(key, c => c.GetTimeSpan(key));

    public long Milliseconds(string key) => (long)Duration(key).TotalMilliseconds;

    public long Bytes(string key) => Read(key, c => c.GetByteSize(key)) ?? throw Invalid(key, "is not a byte size");

    public int Int32Bytes(string key) => Bytes(key) is var bytes and >= int.MinValue and <= int.MaxValue
        ? (int)bytes
        : throw Invalid(key, "must be below 2 GiB");

    public int Int32Milliseconds(string key) => Milliseconds(key) is var ms and >= int.MinValue and <= int.MaxValue
        ? (int)ms
        : throw Invalid(key, "is too long");

    public string String(string key) => Read(key, c => c.GetString(key)) ?? throw Invalid(key, "is not a string");

    public ConfigurationException Invalid(string key, string why) => new($"{path}.{key} {why}.");

    private T Read<T>(string key, Func<Config, T> read)
    {
        if (section is null || !section.HasPath(key))
        {
            throw new ConfigurationException($"{path}.{key} is missing (the embedded reference.conf defines every key).");
        }
        try
        {
            return read(section);
        }
        catch (Exception unreadable) when (unreadable is not ConfigurationException)
        {
            throw new ConfigurationException($"{path}.{key}: {unreadable.Message}", unreadable);
        }
    }
}
