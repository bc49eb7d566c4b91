using System.Diagnostics;
using System.Security.Cryptography;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>--tls</c> and <c>--auth</c> for the bench's own cluster (issue 19's figures with security on beside off).
/// <c>--tls</c>: certificates made by config/make-dev-certs.sh (the script the README gives operators) in the run's
/// directory, mutual TLS between every replica and client. <c>--auth</c>: anonymous sessions refused, a super user made
/// for the run adds the user <c>bench</c>, every bench client logs in as it, and every node created without an ACL (the
/// keys included) gets <c>digest:bench:cdrwa</c>, so each request passes a non-world ACL check. The hashing cost is the
/// reference default (100,000 iterations), as an operator would run it; it is paid once per session, at login.
/// </summary>
internal sealed record BenchSecurity(string? CertificateDirectory, string? AdminPassword, string? UserPassword)
{
    public const string Admin = "admin";

    public const string User = "bench";

    public static BenchSecurity? Make(BenchOptions options, string directory, IEnumerable<string> hosts)
    {
        if (!options.Tls && !options.Auth)
        {
            return null;
        }
        var certificates = options.Tls ? MakeCertificates(Path.Combine(directory, "certs"), hosts) : null;
        return options.Auth ? new BenchSecurity(certificates, Password(), Password()) : new BenchSecurity(certificates, null, null);
    }

    public string ReplicaHocon
    {
        get
        {
            var hocon = "";
            if (CertificateDirectory is { } certs)
            {
                hocon += $$"""
                    coordinator.tls {
                      enabled = on
                      certificate = "{{Path.Combine(certs, "replica-{id}.crt")}}"
                      private-key = "{{Path.Combine(certs, "replica-{id}.key")}}"
                      ca = "{{Path.Combine(certs, "ca.crt")}}"
                    }

                    """;
            }
            if (AdminPassword is { } admin)
            {
                hocon += $$"""
                    coordinator.security {
                      allow-anonymous = off
                      super-user = "{{Admin}}"
                      super-user-digest = "{{CoordinatorCredentials.Digest(admin)}}"
                      default-acl = "digest:{{User}}:cdrwa"
                    }

                    """;
            }
            return hocon;
        }
    }

    public CoordinatorTlsOptions? Tls => CertificateDirectory is { } certs
        ? new CoordinatorTlsOptions
        {
            CaCertificatePath = Path.Combine(certs, "ca.crt"),
            CertificatePath = Path.Combine(certs, "client.crt"),
            PrivateKeyPath = Path.Combine(certs, "client.key"),
        }
        : null;

    public CoordinatorCredentials? UserCredentials => UserPassword is { } password ? new CoordinatorCredentials(User, password) : null;

    /// <summary>
    /// The super user adds the bench user; then each replica must take its login, since a replica knows of a user
    /// once it applied the add.
    /// </summary>
    public async Task AddUserAsync(IReadOnlyList<string> endpoints)
    {
        if (AdminPassword is not { } admin || UserPassword is not { } password)
        {
            return;
        }
        await using (var client = await CoordinatorClient.ConnectAsync(Options(endpoints, new CoordinatorCredentials(Admin, admin))))
        {
            await client.SetUserAsync(User, password);
        }
        foreach (var endpoint in endpoints)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await using var client = await CoordinatorClient.ConnectAsync(Options([endpoint], UserCredentials));
                    break;
                }
                catch (AuthFailedException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(100);
                }
            }
        }
    }

    /// <summary>Options for a client of <paramref name="servers"/> with this run's TLS and the given credentials.</summary>
    public CoordinatorClientOptions Options(IEnumerable<string> servers, CoordinatorCredentials? credentials) =>
        new() { Servers = [.. servers], Tls = Tls, Credentials = credentials };

    private static string Password() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>config/make-dev-certs.sh of the checkout this bench was built in, for the replicas at <paramref name="hosts"/>.</summary>
    private static string MakeCertificates(string directory, IEnumerable<string> hosts)
    {
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { FindScript(), "-o", directory })
        {
            start.ArgumentList.Add(argument);
        }
        var id = 1;
        foreach (var host in hosts)
        {
            start.ArgumentList.Add($"{id++}=IP:{host}");
        }
        using var script = Process.Start(start) ?? throw new InvalidOperationException("could not start make-dev-certs.sh");
        var errors = script.StandardError.ReadToEndAsync();
        script.StandardOutput.ReadToEnd();
        if (!script.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            script.Kill();
            throw new TimeoutException("make-dev-certs.sh did not finish within 60 s");
        }
        return script.ExitCode == 0 ? directory : throw new InvalidOperationException($"make-dev-certs.sh failed ({script.ExitCode}): {errors.Result}");
    }

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "config", "make-dev-certs.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }
        throw new FileNotFoundException($"config/make-dev-certs.sh not found above {AppContext.BaseDirectory}");
    }
}
