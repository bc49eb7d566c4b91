namespace Coordinator.Faults;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: Coordinator.Faults (harness in progress, see issue #10)");
        return 2;
    }
}
