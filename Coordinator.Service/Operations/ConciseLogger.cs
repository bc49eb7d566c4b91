using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Coordinator.Service.Operations;

/// <summary>
/// A replica's Akka logger: one short line per event on standard output. Events of the replica's own actors pass at
/// <c>akka.loglevel</c>; Akka's own (remoting, cluster membership, persistence) only at
/// <c>coordinator.logging.akka-level</c> and above (WARNING by default), so a starting cluster prints what the replicas
/// decided rather than a screen of association chatter. With <c>coordinator.logging.format = json</c> each line is
/// one JSON object (timestamp, level, source, message, exception) for a log shipper.
/// </summary>
internal sealed class ConciseLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>Put under a replica's own configuration and above the reference: a configured <c>akka.loggers</c> wins.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(
        $"akka.loggers = [\"{typeof(ConciseLogger).FullName}, {typeof(ConciseLogger).Assembly.GetName().Name}\"]");

    public ConciseLogger()
    {
        var settings = LoggingSettings.Create(Context.System.Settings.Config.GetConfig(LoggingSettings.Path));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            var own = IsOwn(e.LogSource);
            if (own || e.LogLevel() >= settings.AkkaLevel)
            {
                Console.Out.WriteLine(settings.Json ? Json(e, own) : Format(e, own));
            }
        });
    }

    /// <summary>The replica's actors live under /user; Akka's own under /system or in named extensions.</summary>
    private static bool IsOwn(string source) => source.Contains("/user/", StringComparison.Ordinal);

    private static string Source(LogEvent e, bool own) =>
        own ? e.LogSource[(e.LogSource.IndexOf("/user/", StringComparison.Ordinal) + "/user/".Length)..] : e.LogSource;

    /// <summary>The text line; the fault harness reads leader elections from it (Coordinator.Faults' LeaderElections).</summary>
    internal static string Format(LogEvent e, bool own)
    {
        var line = $"{e.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {Level(e.LogLevel()),-5} [{Source(e, own)}] {e.Message}";
        return e.Cause is { } cause ? $"{line}{Environment.NewLine}{cause}" : line;
    }

    private static string Json(LogEvent e, bool own)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("timestamp", e.Timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("level", Level(e.LogLevel()));
            writer.WriteString("source", Source(e, own));
            writer.WriteString("message", e.Message?.ToString());
            if (e.Cause is { } cause)
            {
                writer.WriteString("exception", cause.ToString());
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "DEBUG",
        LogLevel.InfoLevel => "INFO",
        LogLevel.WarningLevel => "WARN",
        _ => "ERROR",
    };
}
