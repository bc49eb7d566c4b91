using System.Runtime.CompilerServices;

namespace Coordinator.Tests.Infrastructure;

/// <summary>
/// The tests run many ActorSystems (on the .NET thread pool) beside TestKit probes that block while they wait. On a
/// 2-core machine the pool starts with two workers and adds about one a second, so a few blocked waits can starve
/// every replica in the process for seconds. Start with enough workers that timing reflects the code, not the pool.
/// </summary>
internal static class ThreadPoolWarmUp
{
    [ModuleInitializer]
    internal static void Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(completionPorts, 64));
    }
}
