namespace Coordinator.Faults.Harness;

/// <summary>
/// What must not outlive the harness process (replica processes, namespaces) even when it is ended by a signal
/// rather than unwinding normally: registered resources are disposed on process exit too.
/// </summary>
internal static class Teardown
{
    private static readonly List<IDisposable> Registered = [];

    static Teardown() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();

    /// <returns>Unregisters (without disposing) when the run disposes the resource itself.</returns>
    public static IDisposable Register(IDisposable resource)
    {
        lock (Registered)
        {
            Registered.Add(resource);
        }
        return new Registration(resource);
    }

    private static void DisposeAll()
    {
        IDisposable[] resources;
        lock (Registered)
        {
            resources = [.. Registered];
            Registered.Clear();
        }
        // Replica processes first, then the namespaces they ran in.
        foreach (var resource in resources.Reverse())
        {
            resource.Dispose();
        }
    }

    private sealed class Registration(IDisposable resource) : IDisposable
    {
        public void Dispose()
        {
            lock (Registered)
            {
                Registered.Remove(resource);
            }
        }
    }
}
