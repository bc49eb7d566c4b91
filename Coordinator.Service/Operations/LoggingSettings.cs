using Akka.Configuration;
using Akka.Event;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Operations;

/// <summary>How a replica prints its log (<c>coordinator.logging</c> in HOCON): see <see cref="ConciseLogger"/>.</summary>
/// <param name="AkkaLevel">The lowest level of Akka's own events (remoting, cluster, persistence) that prints.</param>
/// <param name="Json">One JSON object per line rather than one short text line.</param>
internal sealed record LoggingSettings(LogLevel AkkaLevel, bool Json)
{
    public const string Path = "coordinator.logging";

    /// <summary>Above every level Akka has: nothing of Akka's own prints.</summary>
    public const LogLevel Off = (LogLevel)int.MaxValue;

    /// <exception cref="ConfigurationException">A key is missing or invalid.</exception>
    public static LoggingSettings Create(Config? section)
    {
        var hocon = new HoconSection(section, Path);
        var level = hocon.String("akka-level").Trim().ToUpperInvariant() switch
        {
            "DEBUG" => LogLevel.DebugLevel,
            "INFO" => LogLevel.InfoLevel,
            "WARNING" or "WARN" => LogLevel.WarningLevel,
            "ERROR" => LogLevel.ErrorLevel,
            "OFF" => Off,
            var other => throw hocon.Invalid("akka-level", $"= '{other}': expected DEBUG, INFO, WARNING, ERROR or OFF"),
        };
        var json = hocon.String("format").Trim().ToLowerInvariant() switch
        {
            "text" => false,
            "json" => true,
            var other => throw hocon.Invalid("format", $"= '{other}': expected text or json"),
        };
        return new LoggingSettings(level, json);
    }
}
