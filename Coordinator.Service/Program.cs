namespace Coordinator.Service;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("Coordinator.Service: the replica runtime is not built yet (issue #3).");
        return 2;
    }
}
