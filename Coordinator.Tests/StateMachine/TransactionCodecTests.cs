using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

[Trait("Category", "StateMachine")]
public sealed class TransactionCodecTests
{
    private static readonly Transaction[] All =
    [
        new CreateSession(30_000, -42),
        CloseSession.Instance,
        new TouchSession(7),
        new ExpireSession(long.MinValue),
        Tick.Instance,
        new Create("/a/ü", [1, 2, 3], NodeKind.EphemeralSequential),
        new Create("/t", [], NodeKind.PersistentWithTtl, 5_000, CreateParents: true),
        new Delete("/a", 3),
        new SetData("/a", [9], -1),
        new Check("/a", 0),
        new Multi([new Check("/a", 1), new Create("/b", [4], NodeKind.Container), new Delete("/c"), new SetData("/d", [], 2)]),
        new Multi([]),
        Sync.Instance,
        new Acquire("/lock", LockMode.Shared, true, 10_000),
        new Acquire("/lock", LockMode.Exclusive, false),
        new Acquire("/sem", LockMode.Shared, true, 10_000, MaxCount: 3),
        new Acquire("/sem", LockMode.Shared, false, MaxCount: int.MaxValue),
        new Acquire("/lock", LockMode.Upgradeable, true),
        new Upgrade("/lock", true),
        new Upgrade("/lock", false),
        new Release("/lock"),
        new Withdraw("/lock"),
        new RenewLease("/lock"),
        new CheckToken("/lock", 12345),
    ];

    public static TheoryData<int> Every() => [.. Enumerable.Range(0, All.Length)];

    [Theory]
    [MemberData(nameof(Every))]
    public void Round_trips_every_transaction(int index)
    {
        var txn = All[index];
        var bytes = TransactionCodec.Encode(txn);
        Assert.Equal(TransactionCodec.FormatVersion, bytes[0]);
        var decoded = TransactionCodec.Decode(bytes);
        Assert.True(decoded.IsOk, decoded.Error.ToString());
        Assert.Equal(bytes, TransactionCodec.Encode(decoded.Value!));

        var command = TransactionCodec.DecodeCommand(TransactionCodec.EncodeCommand(new ClientCommand(5, 6, txn)));
        Assert.Equal((5L, 6L), (command.Value!.SessionId, command.Value.Sequence));
        Assert.Equal(bytes, TransactionCodec.Encode(command.Value.Transaction));
    }

    [Fact]
    public void Malformed_input_gets_a_typed_error()
    {
        var good = TransactionCodec.Encode(new Create("/a", [1, 2], NodeKind.Persistent));
        Assert.Equal(CodecError.Empty, TransactionCodec.Decode([]).Error);
        Assert.Equal(CodecError.UnsupportedVersion, TransactionCodec.Decode([99, 1]).Error);
        Assert.Equal(CodecError.UnknownTag, TransactionCodec.Decode([1, 200]).Error);
        Assert.Equal(CodecError.Truncated, TransactionCodec.Decode(good.AsSpan(0, good.Length - 1)).Error);
        Assert.Equal(CodecError.TrailingBytes, TransactionCodec.Decode([.. good, 0]).Error);
        Assert.Equal(CodecError.InvalidValue, TransactionCodec.Decode([1, 10, 0xff, 0xff, 0xff, 0x7f]).Error);
        var nested = TransactionCodec.Encode(new Multi([new Multi([])]));
        Assert.Equal(CodecError.NestedMulti, TransactionCodec.Decode(nested).Error);
        var badMode = TransactionCodec.Encode(new Acquire("/l", LockMode.Shared, false));
        badMode[^3] = 7;
        Assert.Equal(CodecError.InvalidValue, TransactionCodec.Decode(badMode).Error);
    }

    [Fact]
    public void Random_and_mutated_bytes_never_throw()
    {
        var rng = new Random(4);
        var samples = All.Select(TransactionCodec.Encode).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[rng.Next(0, 40)];
                rng.NextBytes(bytes);
                if (bytes.Length > 0)
                {
                    bytes[0] = TransactionCodec.FormatVersion;
                }
            }
            else
            {
                bytes = (byte[])samples[rng.Next(samples.Length)].Clone();
                for (var flips = rng.Next(1, 4); flips > 0; flips--)
                {
                    bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                }
            }
            var decoded = TransactionCodec.Decode(bytes);
            Assert.Equal(decoded.IsOk, decoded.Value is not null);
            if (decoded.Value is { } txn)
            {
                var machine = new CoordinatorStateMachine();
                machine.Apply(1, SlotTime.Untermed(1), 9, 1, new CreateSession(10_000, 0));
                Assert.NotEqual(ErrorCode.SystemError, machine.Apply(2, SlotTime.Untermed(2), 9, 2, txn).Code);
            }
        }
    }
}
