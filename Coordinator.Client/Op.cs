using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>One operation of an all-or-nothing <see cref="CoordinatorClient.MultiAsync"/>.</summary>
public sealed class Op
{
    private Op(Transaction transaction, string path, byte[]? data)
    {
        Transaction = transaction;
        Path = path;
        Data = data;
    }

    public string Path { get; }

    internal Transaction Transaction { get; }

    internal byte[]? Data { get; }

    /// <param name="acl">The new node's ACL; null for the cluster's default ACL.</param>
    public static Op Create(string path, byte[] data, NodeKind kind = NodeKind.Persistent, IReadOnlyList<AclEntry>? acl = null) =>
        new(new Create(path, data, kind, Acl: acl), path, data);

    public static Op Delete(string path, int version = -1) => new(new Delete(path, version), path, null);

    public static Op SetData(string path, byte[] data, int version = -1) => new(new SetData(path, data, version), path, data);

    /// <summary>Fails the whole multi unless the node exists with this version (-1: any version).</summary>
    public static Op Check(string path, int version = -1) => new(new Check(path, version), path, null);
}
