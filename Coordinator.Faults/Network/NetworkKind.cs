namespace Coordinator.Faults.Network;

/// <summary>How a run cuts links: see <see cref="IFaultNetwork"/>.</summary>
public enum NetworkKind
{
    /// <summary>Namespaces where the machine allows them (root, iproute2, nft), else the transport fallback.</summary>
    Auto,
    Namespaces,
    Transport,
}
