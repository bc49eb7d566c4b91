using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Faults.Cluster;

/// <summary>
/// A TLS run's certificates, made by the project's own config/make-dev-certs.sh (the script the README gives
/// operators) in the run directory: a CA, replica-N for each replica naming the host it is reached at in this run's
/// network, and a client certificate. The replicas get <see cref="ReplicaHocon"/>, the clients <see cref="ClientOptions"/>.
/// </summary>
internal sealed record RunCertificates(string Directory)
{
    public static RunCertificates Make(string runDirectory, IReadOnlyDictionary<int, string> replicaHosts, string serviceDll)
    {
        var directory = System.IO.Directory.CreateDirectory(Path.Combine(runDirectory, "certs")).FullName;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { FindScript(serviceDll), "-o", directory })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (id, host) in replicaHosts.OrderBy(pair => pair.Key))
        {
            start.ArgumentList.Add($"{id}=IP:{host}");
        }
        using var script = Process.Start(start) ?? throw new InvalidOperationException("could not start make-dev-certs.sh");
        var errors = script.StandardError.ReadToEndAsync();
        script.StandardOutput.ReadToEnd();
        if (!script.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            script.Kill();
            throw new TimeoutException("make-dev-certs.sh did not finish within 60 s");
        }
        if (script.ExitCode != 0)
        {
            throw new InvalidOperationException($"make-dev-certs.sh failed ({script.ExitCode}): {errors.Result}");
        }
        return new RunCertificates(directory);
    }

    public string ReplicaHocon => $$"""
        coordinator.tls {
          enabled = on
          certificate = "{{Path.Combine(Directory, "replica-{id}.crt")}}"
          private-key = "{{Path.Combine(Directory, "replica-{id}.key")}}"
          ca = "{{Path.Combine(Directory, "ca.crt")}}"
        }
        """;

    public CoordinatorTlsOptions ClientOptions => new()
    {
        CaCertificatePath = Path.Combine(Directory, "ca.crt"),
        CertificatePath = Path.Combine(Directory, "client.crt"),
        PrivateKeyPath = Path.Combine(Directory, "client.key"),
    };

    /// <summary>config/make-dev-certs.sh of the checkout the service was built in.</summary>
    private static string FindScript(string serviceDll)
    {
        for (var directory = new FileInfo(serviceDll).Directory; directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "config", "make-dev-certs.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }
        throw new FileNotFoundException($"config/make-dev-certs.sh not found above {serviceDll}");
    }
}
