using System.Text;
using Coordinator.Client;
using Coordinator.Client.Recipes;
using Medallion.Threading;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Tests.Recipes;

/// <summary>The recipe snippets of Coordinator.Client/README.md, compiled and run so that they cannot rot.</summary>
internal static class ReadmeSamples
{
    public static async Task<long> LockAsync(CoordinatorClient client, Func<long, CancellationToken, Task> writeOrders, CancellationToken ct)
    {
        await using var handle = await client.Locks.AcquireAsync("orders", TimeSpan.FromSeconds(30), ct);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(ct, handle.HandleLostToken);
        await writeOrders(handle.FencingToken, work.Token); // the resource rejects tokens older than the newest it saw
        return handle.FencingToken;
    }

    public static async Task<long> SemaphoreAsync(CoordinatorClient client, Func<long, CancellationToken, Task> export, CancellationToken ct)
    {
        IDistributedSemaphoreProvider semaphores = client.Locks;
        var exports = semaphores.CreateSemaphore("exports", maxCount: 3); // at most three exports at once, cluster-wide
        await using var permit = (CoordinatorLockHandle)await exports.AcquireAsync(TimeSpan.FromMinutes(1), ct);
        await export(permit.FencingToken, permit.HandleLostToken); // each permit has its own fencing token
        return permit.FencingToken;
    }

    public static async Task<long> UpgradeableAsync(
        CoordinatorClient client, Func<bool> isStale, Func<long, CancellationToken, Task> refresh, CancellationToken ct)
    {
        var cache = client.Locks.CreateReaderWriterLock("cache"); // an IDistributedUpgradeableReaderWriterLock
        await using var handle = await cache.AcquireUpgradeableReadLockAsync(TimeSpan.FromSeconds(30), ct);
        if (isStale()) // read beside any readers; only one upgradeable holder at a time
        {
            await handle.UpgradeToWriteLockAsync(TimeSpan.FromSeconds(30), ct); // waits for the readers, ahead of newcomers
            await refresh(handle.FencingToken, handle.HandleLostToken); // the write grant's token, above the read one
        }
        return handle.FencingToken;
    }

    public static async Task<ElectionLeader?> ElectionAsync(CoordinatorClient client, CancellationToken ct)
    {
        var election = client.Election("billing");
        await using var leadership = await election.CampaignAsync("host-a"u8.ToArray(), ct);
        // ... lead until leadership.LostToken fires, then dispose (resigns) ...
        await leadership.ProclaimAsync("host-a:8443"u8.ToArray(), ct); // a new advertised value, still the leader
        return await election.GetLeaderAsync(ct);
    }

    public static async Task<string> ConfigurationAsync(CoordinatorClient client)
    {
        var configuration = new ConfigurationBuilder()
            .AddCoordinator("/config/myapp", new CoordinatorConfigurationOptions { Client = client })
            .Build();
        await using var services = new ServiceCollection()
            .Configure<MyAppOptions>(configuration.GetSection("MyApp"))
            .BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<MyAppOptions>>(); // follows /config/myapp/MyApp/*
        var greeting = monitor.CurrentValue.Greeting;
        ((IDisposable)configuration).Dispose();
        return greeting;
    }

    public static async Task<bool> DependencyInjectionAsync(IConfiguration configuration)
    {
        // appsettings.json: "Coordinator": { "Servers": ["10.0.0.1:4053", ...], "SessionTimeout": "00:00:10" }
        await using var services = new ServiceCollection()
            .AddCoordinatorClient(configuration.GetSection("Coordinator"))
            .BuildServiceProvider();
        var locks = services.GetRequiredService<IDistributedLockProvider>();
        await using var handle = await locks.TryAcquireLockAsync("nightly-report");
        return handle is not null;
    }

    public sealed class MyAppOptions
    {
        public string Greeting { get; set; } = "";
    }

    public sealed class ReportService(CoordinatorClient client) : LeaderBackgroundService(client.Election("reports"), Encoding.UTF8.GetBytes(Environment.MachineName))
    {
        protected override async Task LeadAsync(CancellationToken leadershipToken)
        {
            while (!leadershipToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMinutes(1), leadershipToken); // runs on one host at a time
            }
        }
    }
}
