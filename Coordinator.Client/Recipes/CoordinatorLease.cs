using Akka.Actor;
using Akka.Coordination;
using Coordinator.Core.Protocol;

namespace Coordinator.Client.Recipes;

/// <summary>
/// An Akka.Coordination lease held as an exclusive Coordinator lock, configured like other lease providers:
/// <code>
/// coordinator-lease {
///   lease-class = "Coordinator.Client.Recipes.CoordinatorLease, Coordinator.Client"
///   servers = ["10.0.0.1:4053", "10.0.0.2:4053", "10.0.0.3:4053"]
///   session-timeout = 10s
///   local-hostname = "127.0.0.1"
///   path = "/akka/leases"
/// }
/// </code>
/// Each lease has a session of its own, connected at the first acquire and again after it expired. The lease is
/// lost (callback, <see cref="CheckLease"/> false) when the lock's handle is lost: on disconnection, before the
/// session could expire and the lock be regranted elsewhere.
/// </summary>
public sealed class CoordinatorLease : Lease
{
    private readonly CoordinatorClientOptions _clientOptions;
    private readonly string _path;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CoordinatorClient? _client;
    private CoordinatorLockHandle? _handle;

    public CoordinatorLease(LeaseSettings settings, ExtendedActorSystem system)
        : base(settings)
    {
        var config = settings.LeaseConfig;
        _clientOptions = new CoordinatorClientOptions
        {
            Servers = [.. config.GetStringList("servers")],
            SessionTimeout = config.GetTimeSpan("session-timeout", TimeSpan.FromSeconds(10)),
            LocalHostname = config.GetString("local-hostname", "127.0.0.1"),
        };
        _path = config.GetString("path", "/akka/leases").TrimEnd('/') + "/" + settings.LeaseName;
        system.RegisterOnTermination(() => _client?.DisposeAsync().AsTask().GetAwaiter().GetResult());
    }

    public override Task<bool> Acquire() => Acquire(null);

    public override async Task<bool> Acquire(Action<Exception?>? leaseLostCallback)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (CheckLease())
            {
                return true;
            }
            if (_handle is { } lost)
            {
                // The session may still hold the lock it was no longer sure of: give it up before asking again.
                _handle = null;
                await lost.DisposeAsync().ConfigureAwait(false);
            }
            if (_client is null || _client.State is ConnectionState.Expired or ConnectionState.Closed)
            {
                if (_client is not null)
                {
                    await _client.DisposeAsync().ConfigureAwait(false);
                }
                _client = null;
                _client = await CoordinatorClient.ConnectAsync(_clientOptions).ConfigureAwait(false);
            }
            var handle = await CoordinatorLockHandle.AcquireAsync(_client, _path, LockMode.Exclusive, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            if (handle is null)
            {
                return false;
            }
            if (leaseLostCallback is not null)
            {
                handle.HandleLostToken.Register(() => leaseLostCallback(new LeaseException($"Lease {Settings.LeaseName} lost: the session's lock {_path} is no longer certain.")));
            }
            _handle = handle;
            return true;
        }
        catch (Exception e) when (e is CoordinatorException)
        {
            throw new LeaseException($"Lease {Settings.LeaseName} could not be acquired.", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task<bool> Release()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_handle is { } handle)
            {
                _handle = null;
                await handle.DisposeAsync().ConfigureAwait(false);
            }
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override bool CheckLease() => Volatile.Read(ref _handle) is { HandleLostToken.IsCancellationRequested: false };
}
