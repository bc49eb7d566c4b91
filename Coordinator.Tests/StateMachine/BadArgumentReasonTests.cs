using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;

namespace Coordinator.Tests.StateMachine;

/// <summary>
/// Issue 15 finding 8: every argument check of the state machine answers BadArguments with a reason that names the
/// argument and what it may be, and the reason survives the result codec (the client puts it in its exception).
/// </summary>
[Trait("Category", "StateMachine")]
public sealed class BadArgumentReasonTests
{
    private static readonly StateMachineSettings Settings = StateMachineSettings.Default;

    private static readonly Dictionary<string, (Transaction Txn, string Reason)> Cases = new()
    {
        ["ttl zero"] = (new Create("/t", [], NodeKind.PersistentWithTtl, 0), $"ttl 0 ms is out of range: must be between 1 ms and {Settings.MaxNodeTtlMs} ms"),
        ["ttl negative"] = (new Create("/t", [], NodeKind.PersistentSequentialWithTtl, -5), $"ttl -5 ms is out of range: must be between 1 ms and {Settings.MaxNodeTtlMs} ms"),
        ["ttl too long"] = (new Create("/t", [], NodeKind.PersistentWithTtl, Settings.MaxNodeTtlMs + 1), $"ttl {Settings.MaxNodeTtlMs + 1} ms is out of range: must be between 1 ms and {Settings.MaxNodeTtlMs} ms"),
        ["ttl missing"] = (new Create("/t", [], NodeKind.PersistentWithTtl), $"ttl is missing: kind PersistentWithTtl needs one between 1 ms and {Settings.MaxNodeTtlMs} ms"),
        ["ttl on a plain node"] = (new Create("/t", [], NodeKind.Ephemeral, 1_000), "ttl 1000 ms is for TTL nodes only: kind Ephemeral takes none"),
        ["create without data"] = (new Create("/t", null!, NodeKind.Persistent), $"data is missing: must be an array of 0 to {Settings.MaxDataBytes} bytes"),
        ["unknown node kind"] = (new Create("/t", [], (NodeKind)42), $"kind 42 is not a node kind: must be one of {string.Join(", ", Enum.GetNames<NodeKind>())}"),
        ["set without data"] = (new SetData("/", null!), $"data is missing: must be an array of 0 to {Settings.MaxDataBytes} bytes"),
        ["delete the root"] = (new Delete("/"), "path / cannot be deleted: it must name a node below the root"),
        ["lease zero"] = (new Acquire("/l", LockMode.Exclusive, false, 0), $"lease ttl 0 ms is out of range: must be between 1 ms and {Settings.MaxLeaseTtlMs} ms"),
        ["lease too long"] = (new Acquire("/l", LockMode.Shared, true, Settings.MaxLeaseTtlMs + 1), $"lease ttl {Settings.MaxLeaseTtlMs + 1} ms is out of range: must be between 1 ms and {Settings.MaxLeaseTtlMs} ms"),
        ["unknown lock mode"] = (new Acquire("/l", (LockMode)7, false), "lock mode 7 is not a lock mode: must be Exclusive, Shared or Upgradeable"),
        ["semaphore of no permits"] = (new Acquire("/s", LockMode.Shared, true, MaxCount: 0), "semaphore max count 0 is out of range: must be at least 1"),
        ["semaphore held upgradeable"] = (new Acquire("/s", LockMode.Upgradeable, true, MaxCount: 2), "a semaphore is held Shared, not Upgradeable"),
        ["semaphore held exclusively"] = (new Acquire("/s", LockMode.Exclusive, true, MaxCount: 2), "a semaphore is held Shared, not Exclusive"),
        ["multi too large"] = (new Multi([.. Enumerable.Repeat<Transaction>(new Check("/", -1), Settings.MaxMultiOps + 1)]), $"multi of {Settings.MaxMultiOps + 1} ops is too large: must be at most {Settings.MaxMultiOps} ops"),
        ["multi without ops"] = (new Multi(null!), "multi ops are missing"),
        ["no transaction"] = (null!, "the command carries no transaction"),
    };

    public static TheoryData<string> Checks => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Checks))]
    public void A_bad_argument_is_refused_with_a_reason_naming_it_and_its_range(string check)
    {
        var (txn, reason) = Cases[check];
        var h = new Harness(Settings);
        h.Open(1);
        var result = h.Do(1, txn);
        Assert.True(result == new ErrorResult(ErrorCode.BadArguments, reason), $"{check}: {result}");
        Assert.Equal(result, ResultCodec.Decode(ResultCodec.Encode(result)).Value);
    }

    [Fact]
    public void A_multi_carries_its_failing_ops_reason_and_changes_nothing()
    {
        var h = new Harness(Settings);
        h.Open(1);
        var result = Assert.IsType<MultiErrorResult>(h.Do(1, new Multi([Harness.Persistent("/a"), new Create("/a/t", [], NodeKind.PersistentWithTtl, 0)])));
        Assert.Equal((ErrorCode.BadArguments, 1), (result.Error, result.FailedIndex));
        Assert.Equal($"ttl 0 ms is out of range: must be between 1 ms and {Settings.MaxNodeTtlMs} ms", result.Reason);
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/a").Code);
        var decoded = Assert.IsType<MultiErrorResult>(ResultCodec.Decode(ResultCodec.Encode(result)).Value);
        Assert.Equal((result.Error, result.FailedIndex, result.Reason), (decoded.Error, decoded.FailedIndex, decoded.Reason));
        Assert.Equal(result.PerOp, decoded.PerOp);

        var notTreeOp = Assert.IsType<MultiErrorResult>(h.Do(1, new Multi([new Release("/l")])));
        Assert.Equal("a multi op is Release: must be create, delete, setData or check", notTreeOp.Reason);
    }

    [Fact]
    public void Results_without_a_reason_keep_the_bytes_they_had_before_reasons()
    {
        // Tag 2 then the code, as every cached result in a snapshot written before reasons was.
        Assert.Equal([2, (byte)ErrorCode.NodeExists], ResultCodec.Encode(new ErrorResult(ErrorCode.NodeExists)));
        Assert.Equal(
            [9, (byte)ErrorCode.NotEmpty, 1, 0, 0, 0, 2, 0, 0, 0, (byte)ErrorCode.Ok, (byte)ErrorCode.NotEmpty],
            ResultCodec.Encode(new MultiErrorResult(ErrorCode.NotEmpty, 1, [ErrorCode.Ok, ErrorCode.NotEmpty])));
    }
}
