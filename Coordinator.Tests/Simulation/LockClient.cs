using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Command = Coordinator.Core.Consensus.Command;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// A client of the lock workload: opens a session, then loops Acquire of a lock (exclusive, shared or upgradeable) or
/// the semaphore (wait, sometimes a lease) -> hold -> Release, sometimes withdrawing while it waits, upgrading an
/// upgradeable hold (and sometimes giving a queued upgrade up), renewing a lease, closing its session or
/// crashing with it open. Results and events reach it when the first replica applies them (the gateway's job, not under test here), and it reports any
/// answer its own history makes impossible. After the network heals it finishes what it holds or waits for, then stops.
/// </summary>
internal sealed class LockClient(int index, LockWorkload workload) : SimClient(index)
{
    private const int SessionTimeoutMs = 10_000;

    private int _generation;
    private long _sequence;
    private long _readyAt;
    private bool _awaiting;
    private bool _granted;
    private bool _lost;
    private bool _sessionEnded;
    private string _path = "";
    private long? _leaseTtl;
    private long _holdUntil;
    private long _renewAt;
    private long _withdrawAt;
    private LockMode _mode;
    private long _upgradeAt;
    private bool _upgradeWaits;

    public LockClientPhase Phase { get; private set; } = LockClientPhase.NoSession;

    public long SessionId { get; private set; }

    public override bool IsDone => Phase == LockClientPhase.Done;

    public override bool Crashes(SimRandom random, long now, bool healed)
    {
        if (healed || Phase is LockClientPhase.NoSession or LockClientPhase.Crashed or LockClientPhase.SessionOver or LockClientPhase.Done
            || !random.Chance(0.003))
        {
            return false;
        }
        workload.Abandon(SessionId);
        Phase = LockClientPhase.Crashed;
        _awaiting = false;
        _readyAt = now + random.Between(100, 2000);
        return true;
    }

    public override Command? Next(SimRandom random, long now, bool healed)
    {
        switch (Phase)
        {
            case LockClientPhase.NoSession or LockClientPhase.SessionOver or LockClientPhase.Crashed:
                if (healed)
                {
                    Phase = LockClientPhase.Done;
                    return null;
                }
                if (Phase == LockClientPhase.SessionOver)
                {
                    Phase = LockClientPhase.NoSession;
                    _readyAt = now + random.Between(0, 300);
                }
                return now < _readyAt ? null : OpenSession();
            case LockClientPhase.Idle:
                if (healed)
                {
                    Phase = LockClientPhase.Done;
                    return null;
                }
                if (now < _readyAt)
                {
                    return null;
                }
                if (random.Chance(0.04))
                {
                    return Send(LockClientPhase.Closing, CloseSession.Instance);
                }
                _path = random.Pick(workload.Paths);
                _leaseTtl = random.Chance(0.25) ? random.Between(200, 2000) : null;
                _granted = _lost = false;
                _mode = random.Pick([LockMode.Exclusive, LockMode.Exclusive, LockMode.Shared, LockMode.Shared, LockMode.Upgradeable]);
                if (workload.Semaphores.TryGetValue(_path, out var maxCount))
                {
                    _mode = LockMode.Shared;
                    return Send(LockClientPhase.Acquiring, new Acquire(_path, LockMode.Shared, Wait: true, _leaseTtl, maxCount));
                }
                var acquire = new Acquire(_path, _mode, Wait: true, _leaseTtl);
                return Send(LockClientPhase.Acquiring, acquire);
            case LockClientPhase.Waiting when !healed && now >= _withdrawAt:
                return Send(LockClientPhase.Withdrawing, new Withdraw(_path));
            case LockClientPhase.Holding or LockClientPhase.UpgradeWaiting when _lost:
                Phase = LockClientPhase.Idle;
                return null;
            case LockClientPhase.UpgradeWaiting when !healed && now >= _withdrawAt:
                return Send(LockClientPhase.UpgradeWithdrawing, new Withdraw(_path));
            case LockClientPhase.Holding when now >= _upgradeAt:
                _upgradeAt = long.MaxValue;
                _upgradeWaits = random.Chance(0.8);
                return Send(LockClientPhase.Upgrading, new Upgrade(_path, _upgradeWaits));
            case LockClientPhase.Holding when now >= _holdUntil:
                return Send(LockClientPhase.Releasing, new Release(_path));
            case LockClientPhase.Holding when _leaseTtl is { } ttl && now >= _renewAt:
                _renewAt = now + ttl / 2;
                return Send(LockClientPhase.Holding, new RenewLease(_path));
            default:
                return null;
        }

        Command OpenSession()
        {
            _generation++;
            SessionId = 1000L * _generation + Index;
            _sequence = 0;
            _sessionEnded = false;
            workload.Register(this);
            return Send(LockClientPhase.Opening, new CreateSession(SessionTimeoutMs, SessionId));
        }

        Command Send(LockClientPhase phase, Transaction transaction)
        {
            Phase = phase;
            _awaiting = true;
            return new Command(SessionId, ++_sequence, TransactionCodec.Encode(transaction));
        }
    }

    /// <summary>The first application of this client's command; returns a violation its history rules out, or null.</summary>
    public string? OnResult(Command command, OpResult result, SimRandom random, long now)
    {
        if (command.SessionId != SessionId || command.Sequence != _sequence || !_awaiting)
        {
            return null;
        }
        _awaiting = false;
        if (result.Code == ErrorCode.SessionExpired)
        {
            if (!_sessionEnded)
            {
                return $"session {SessionId} was answered SessionExpired to #{command.Sequence} before its session ended";
            }
            Phase = LockClientPhase.SessionOver;
            return null;
        }
        switch (Phase, result)
        {
            case (LockClientPhase.Opening, SessionCreatedResult):
            case (LockClientPhase.Withdrawing, { IsOk: true }):
            case (LockClientPhase.Releasing, { IsOk: true }):
            case (LockClientPhase.Releasing or LockClientPhase.Holding or LockClientPhase.Upgrading, { Code: ErrorCode.NotLockHolder }) when _lost:
            case (LockClientPhase.UpgradeWithdrawing, { Code: ErrorCode.NotLockWaiter }) when _lost:
                Phase = LockClientPhase.Idle;
                _readyAt = now + random.Between(0, 400);
                return null;
            case (LockClientPhase.Acquiring, LockAcquiredResult):
            case (LockClientPhase.Withdrawing, { Code: ErrorCode.NotLockWaiter }) when _granted:
                Hold(random, now);
                return null;
            case (LockClientPhase.Acquiring, LockQueuedResult):
                Phase = LockClientPhase.Waiting;
                _withdrawAt = random.Chance(0.3) ? now + random.Between(50, 2000) : long.MaxValue;
                return null;
            case (LockClientPhase.Holding, { IsOk: true }):
                return null;
            case (LockClientPhase.Upgrading, LockAcquiredResult):
                _mode = LockMode.Exclusive;
                Phase = LockClientPhase.Holding;
                return null;
            case (LockClientPhase.Upgrading, { Code: ErrorCode.LockBusy }) when !_upgradeWaits:
            case (LockClientPhase.UpgradeWithdrawing, { IsOk: true }):
                Phase = LockClientPhase.Holding;
                return null;
            case (LockClientPhase.UpgradeWithdrawing, { Code: ErrorCode.NotLockWaiter }) when _mode == LockMode.Exclusive:
                Phase = LockClientPhase.Holding;
                return null;
            case (LockClientPhase.Upgrading, LockQueuedResult):
                Phase = LockClientPhase.UpgradeWaiting;
                _withdrawAt = random.Chance(0.3) ? now + random.Between(20, 1000) : long.MaxValue;
                return null;
            case (LockClientPhase.Closing, { IsOk: true }):
                Phase = LockClientPhase.SessionOver;
                return null;
            default:
                return $"session {SessionId} in phase {Phase} on {_path} got {result} for #{command.Sequence}";
        }
    }

    /// <summary>An event addressed to this client's session; returns a violation its history rules out, or null.</summary>
    public string? OnEvent(StateMachineEvent e, SimRandom random, long now)
    {
        switch (e)
        {
            case LockGranted granted when granted.Path == _path && Phase is LockClientPhase.UpgradeWaiting or LockClientPhase.UpgradeWithdrawing:
                if (_mode != LockMode.Upgradeable || granted.Mode != LockMode.Exclusive)
                {
                    return $"session {SessionId} holding {_mode} on {_path} was granted {granted.Mode} for its upgrade";
                }
                _mode = LockMode.Exclusive;
                if (Phase == LockClientPhase.UpgradeWaiting)
                {
                    Phase = LockClientPhase.Holding;
                }
                return null;
            case LockGranted granted when granted.Path == _path && Phase is LockClientPhase.Waiting or LockClientPhase.Withdrawing:
                _granted = true;
                if (Phase == LockClientPhase.Waiting)
                {
                    Hold(random, now);
                }
                return null;
            case LockGranted granted:
                return $"session {SessionId} in phase {Phase} on {_path} was granted {granted.Path} it does not wait for";
            case LockLost:
                _lost = true;
                return null;
            case SessionExpired or SessionClosed:
                _sessionEnded = true;
                // An expiry proposed during the chaos may be chosen after the client already finished.
                if (!_awaiting && Phase != LockClientPhase.Done)
                {
                    Phase = LockClientPhase.SessionOver;
                }
                return null;
            default:
                return null;
        }
    }

    private void Hold(SimRandom random, long now)
    {
        Phase = LockClientPhase.Holding;
        _holdUntil = now + random.Between(20, 1500);
        _renewAt = _leaseTtl is { } ttl ? now + ttl / 2 : long.MaxValue;
        _upgradeAt = _mode == LockMode.Upgradeable && random.Chance(0.7)
            ? now + random.Between(0, _holdUntil - now)
            : long.MaxValue;
    }
}
