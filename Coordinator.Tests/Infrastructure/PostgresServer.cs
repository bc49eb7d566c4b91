using System.Diagnostics;
using Npgsql;

namespace Coordinator.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for the persistence tests: initdb into a temporary folder, started on a free
/// loopback port, stopped by its postmaster pid and deleted when the tests end. Needs Debian's postgresql package
/// (<c>.ci/run</c> installs it).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _dataDir = "";
    private string _binDir = "";
    private int _port;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Database={database};Username=postgres;Pooling=true;Timeout=10";

    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = connection.CreateCommand();
        create.CommandText = $"CREATE DATABASE \"{name}\"";
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async Task InitializeAsync()
    {
        _binDir = FindBinaries();
        _dataDir = Directory.CreateTempSubdirectory("coordinator-pg-").FullName;
        _port = FreePorts.Take(1)[0];
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", $"postgres:postgres {_dataDir}");
        }
        await RunAsPostgresAsync(asRoot, "initdb", $"-D {_dataDir} -U postgres -A trust --no-sync");
        await RunAsPostgresAsync(asRoot, "pg_ctl",
            $"-D {_dataDir} -w -t 60 -l {_dataDir}/server.log -o \"-p {_port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=on\" start");
        // pg_ctl leaves the postmaster in a session of its own, so only its pid can tell CI which server is ours.
        if (PostmasterPid() is { } pid)
        {
            ChildPids.Record(pid);
        }
    }

    private int? PostmasterPid()
    {
        var pidFile = Path.Combine(_dataDir, "postmaster.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid) ? pid : null;
    }

    public async Task DisposeAsync()
    {
        if (PostmasterPid() is { } pid)
        {
            try
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
                await postmaster.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
        Directory.Delete(_dataDir, recursive: true);
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(version => Path.Combine(version, "bin")).OrderDescending()
            : Enumerable.Empty<string>();
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries were not found under /usr/lib/postgresql: install Debian's postgresql package (.ci/run does).");
    }

    private Task RunAsPostgresAsync(bool asRoot, string tool, string arguments) => asRoot
        ? RunAsync("runuser", $"-u postgres -- {Path.Combine(_binDir, tool)} {arguments}")
        : RunAsync(Path.Combine(_binDir, tool), arguments);

    private static async Task RunAsync(string fileName, string arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {arguments} failed ({process.ExitCode}): {await error} {await output}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
