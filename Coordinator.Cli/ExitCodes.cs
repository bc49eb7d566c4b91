namespace Coordinator.Cli;

/// <summary>Exit codes scripts can branch on.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation was refused: no such node, node exists, bad version, lock busy...</summary>
    public const int OperationFailed = 1;

    /// <summary>Bad arguments: unknown command, invalid path, unreadable data.</summary>
    public const int Usage = 2;

    /// <summary>No listed server answered.</summary>
    public const int Unreachable = 3;

    /// <summary>Servers answered but the cluster could not commit: no quorum.</summary>
    public const int NoQuorum = 4;

    /// <summary>The session expired, or a held lock was lost, while the command ran.</summary>
    public const int SessionLost = 5;
}
