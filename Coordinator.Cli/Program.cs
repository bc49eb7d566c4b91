using System.CommandLine;
using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>
/// <c>coord</c>: the command-line tool for a Coordinator cluster. Servers come from --servers or
/// COORDINATOR_SERVERS (default: the local development cluster).
/// </summary>
internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var servers = new Option<string>("--servers")
        {
            Description = $"comma-separated host:port list (default ${CliContext.ServersVariable} or {CliContext.DefaultServers})",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(CliContext.ServersVariable) ?? CliContext.DefaultServers,
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "seconds to wait for the cluster (default $COORDINATOR_TIMEOUT or 10)",
            Recursive = true,
            DefaultValueFactory = _ => double.TryParse(Environment.GetEnvironmentVariable("COORDINATOR_TIMEOUT"), out var seconds) ? seconds : 10,
        };
        var sessionTimeout = new Option<double>("--session-timeout")
        {
            Description = "seconds the session (and its ephemeral nodes and locks) outlives this tool going silent",
            Recursive = true,
            DefaultValueFactory = _ => 10,
        };
        var json = new Option<bool>("--json") { Description = "print JSON, one object per line", Recursive = true };
        var tlsCa = FromEnvironment("--tls-ca", "COORDINATOR_TLS_CA", "the cluster's CA certificate (PEM): speak TLS, and trust only servers it issued");
        var tlsCert = FromEnvironment("--tls-cert", "COORDINATOR_TLS_CERT", "this client's certificate, PEM or .pfx/.p12 (clusters that require client certificates)");
        var tlsKey = FromEnvironment("--tls-key", "COORDINATOR_TLS_KEY", "the PEM private key of --tls-cert");
        var tlsPassword = FromEnvironment("--tls-password", "COORDINATOR_TLS_PASSWORD", "the password of a .pfx --tls-cert or of an encrypted --tls-key");
        var clusterId = FromEnvironment("--cluster-id", "COORDINATOR_CLUSTER_ID", "refuse servers of any other cluster (coord status shows each server's)");
        var user = FromEnvironment("--user", "COORDINATOR_USER", "log in as this user (anonymous without)");
        var password = FromEnvironment("--password", "COORDINATOR_PASSWORD", "the password of --user");
        var passwordFile = FromEnvironment("--password-file", "COORDINATOR_PASSWORD_FILE", "a file whose first line is the password of --user");
        var root = new RootCommand("coord: the command-line tool for Coordinator")
        {
            servers, timeout, sessionTimeout, json, tlsCa, tlsCert, tlsKey, tlsPassword, clusterId, user, password, passwordFile,
        };

        CliContext Context(ParseResult parse) => new(
            [.. parse.GetValue(servers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            TimeSpan.FromSeconds(parse.GetValue(timeout)),
            TimeSpan.FromSeconds(parse.GetValue(sessionTimeout)),
            parse.GetValue(json),
            parse.GetValue(tlsCa) is { Length: > 0 } ca
                ? new CoordinatorTlsOptions
                {
                    CaCertificatePath = ca,
                    CertificatePath = NullIfEmpty(parse.GetValue(tlsCert)),
                    PrivateKeyPath = NullIfEmpty(parse.GetValue(tlsKey)),
                    Password = NullIfEmpty(parse.GetValue(tlsPassword)),
                }
                : null,
            NullIfEmpty(parse.GetValue(clusterId)),
            parse.GetValue(user) is { Length: > 0 } name
                ? new CoordinatorCredentials(name, Password(parse.GetValue(password), parse.GetValue(passwordFile)))
                : null);

        foreach (var command in NodeCommands.Create(Context))
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(WatchCommand.Create(Context));
        root.Subcommands.Add(LockCommand.Create(Context));
        root.Subcommands.Add(ElectCommand.Create(Context));
        root.Subcommands.Add(SnapshotCommand.Create(Context));
        root.Subcommands.Add(AclCommand.Create(Context));
        root.Subcommands.Add(UserCommand.Create(Context));
        foreach (var command in StatusCommand.Create(Context))
        {
            root.Subcommands.Add(command);
        }
        return root.Parse(args).InvokeAsync();
    }

    private static Option<string> FromEnvironment(string name, string variable, string description) => new(name)
    {
        Description = $"{description} (default ${variable})",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(variable) ?? "",
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>--password, else the first line of --password-file (kept out of the process list and shell history).</summary>
    private static string Password(string? password, string? file) =>
        file is { Length: > 0 } && string.IsNullOrEmpty(password) ? File.ReadLines(file).FirstOrDefault() ?? "" : password ?? "";
}
