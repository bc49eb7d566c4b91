using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using static Coordinator.Tests.Security.AclStateMachineTests;

namespace Coordinator.Tests.Security;

/// <summary>Issue 19: ACLs, ACL versions, users and session users survive snapshots; format 4 restores open to anyone.</summary>
[Trait("Category", "Security")]
public sealed class AclSnapshotTests
{
    [Fact]
    public void Acls_acl_versions_users_and_session_users_survive_a_snapshot_byte_for_byte()
    {
        var h = Cluster();
        Assert.IsType<AclSetResult>(h.Do(Alice, new SetAcl("/p", [AclEntry.ForUser("alice", Permissions.All), AclEntry.ForUser("bob", Permissions.Read)])));
        Assert.IsType<CreatedResult>(h.Do(Alice, new Create("/p/q", [], NodeKind.Persistent, Acl: AliceOnly)));
        Assert.Equal(ErrorCode.Ok, h.Code(Root, new StoreUser("carol", new PasswordDigest(1000, [1, 2, 3], [4, 5, 6]))));
        var before = h.Machine.Snapshot();
        Assert.Equal(5, before[0]);

        h.RestoreFromSnapshot();
        Assert.Equal(before, h.Machine.Snapshot());
        var acl = h.Machine.GetAcl(Bob, "/p");
        Assert.Equal((ErrorCode.Ok, 1), (acl.Code, acl.AclVersion));
        Assert.Equal(ErrorCode.NoAuth, h.Machine.Authorize(Bob, "/p/q", Permissions.Read));
        Assert.Equal("alice", h.Machine.GetSession(Alice)!.User);
        Assert.Null(h.Machine.GetSession(Anonymous)!.User);
        Assert.Equal([4, 5, 6], h.Machine.GetUser("carol")!.Hash);
        Assert.Equal(ErrorCode.NoAuth, h.Code(Bob, new SetData("/p", [])));
    }

    /// <summary>
    /// Format 4, from before ACLs: session 1 (anonymous), nodes /a (data 1 2) and /a/b (data 3). Taken from the
    /// format-4 writer.
    /// </summary>
    private const string FormatFourSnapshot =
        "04030000000000000040420F000000000040420F000000000000000000000000000000000000000000000000000000000040420F000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000000000000000000000000000010000000100000001000000610002000000010202000000000000000200000000000000030000000000000040420F000000000040420F000000000000000000000000000000000000000000000000000100000001000000010000006200010000000303000000000000000300000000000000030000000000000040420F000000000040420F00000000000000000000000000000000000000000000000000000000000000000001000000010000000000000010270000070000000000000040420F000000000003000000000000000103040000002F612F620300000000000000030000000000000040420F000000000040420F000000000000000000000000000000000000000000010000000000000003000000000000000000000000000000";

    [Fact]
    public void A_format_four_snapshot_restores_open_to_anyone_with_anonymous_sessions_and_is_written_back_as_format_five()
    {
        var machine = CoordinatorStateMachine.Restore(Convert.FromHexString(FormatFourSnapshot), new StateMachineSettings { SuperUser = "root" });
        Assert.Equal([1, 2], machine.GetData("/a").Data.ToArray());
        Assert.Equal([AclEntry.OpenToAnyone], machine.GetAcl(1, "/a/b").Acl);
        Assert.Null(machine.GetSession(1)!.User);
        Assert.Empty(machine.UserNames());
        Assert.Equal(CoordinatorStateMachine.SnapshotFormatVersion, machine.Snapshot()[0]);
        Assert.Equal(machine.Snapshot(), CoordinatorStateMachine.Restore(machine.Snapshot()).Snapshot());

        var set = machine.Apply(machine.LastAppliedSlot + 1, SlotTime.Untermed(1_000_500), 1, 4, new SetData("/a/b", [9]));
        Assert.IsType<StatResult>(set.Result);
    }
}
