namespace Coordinator.Client;

public enum LockMode : byte
{
    Exclusive = 0,
    Shared = 1,

    /// <summary>
    /// An upgradeable read: held beside Shared holders, but never beside another Upgradeable or an Exclusive one;
    /// its holder can turn it into the Exclusive hold with an Upgrade.
    /// </summary>
    Upgradeable = 2,
}
