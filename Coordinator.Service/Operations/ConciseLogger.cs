using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Coordinator.Service.Operations;

/// <summary>
/// A replica's Akka logger: one short line per event on standard output. Events of the replica's own actors pass at
/// <c>akka.loglevel</c>; Akka's own (remoting, cluster membership, persistence) only at
/// <c>coordinator.logging.akka-level</c> and above (WARNING by default), so a starting cluster prints what the replicas
/// decided rather than a screen of association chatter.
/// </summary>
internal sealed class ConciseLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>Put under a replica's own configuration and above the reference: a configured <c>akka.loggers</c> wins.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(
        $"akka.loggers = [\"{typeof(ConciseLogger).FullName}, {typeof(ConciseLogger).Assembly.GetName().Name}\"]");

    public ConciseLogger()
    {
        var akkaLevel = ParseLevel(Context.System.Settings.Config.GetString("coordinator.logging.akka-level", "WARNING"));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            var own = IsOwn(e.LogSource);
            if (own || e.LogLevel() >= akkaLevel)
            {
                Console.Out.WriteLine(Format(e, own));
            }
        });
    }

    /// <summary>The replica's actors live under /user; Akka's own under /system or in named extensions.</summary>
    private static bool IsOwn(string source) => source.Contains("/user/", StringComparison.Ordinal);

    private static string Format(LogEvent e, bool own)
    {
        var source = own ? e.LogSource[(e.LogSource.IndexOf("/user/", StringComparison.Ordinal) + "/user/".Length)..] : e.LogSource;
        var line = $"{e.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {Level(e.LogLevel()),-5} [{source}] {e.Message}";
        return e.Cause is { } cause ? $"{line}{Environment.NewLine}{cause}" : line;
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "DEBUG",
        LogLevel.InfoLevel => "INFO",
        LogLevel.WarningLevel => "WARN",
        _ => "ERROR",
    };

    private static LogLevel ParseLevel(string level) => level.Trim().ToUpperInvariant() switch
    {
        "DEBUG" => LogLevel.DebugLevel,
        "INFO" => LogLevel.InfoLevel,
        "WARNING" or "WARN" => LogLevel.WarningLevel,
        "ERROR" => LogLevel.ErrorLevel,
        "OFF" => (LogLevel)int.MaxValue,
        var other => throw new ConfigurationException($"coordinator.logging.akka-level = '{other}': expected DEBUG, INFO, WARNING, ERROR or OFF."),
    };
}
