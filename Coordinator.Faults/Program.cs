using System.Runtime.InteropServices;
using Coordinator.Faults.Harness;

namespace Coordinator.Faults;

/// <summary>
/// Runs fault runs (see <see cref="CommandLine.Usage"/>) and exits 0 only when every run completed and no checker found
/// a violation; 1 otherwise, 2 on bad arguments. Ctrl-C stops the current run and removes everything it created.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (Exception invalid) when (invalid is ArgumentException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {invalid.Message}");
            Console.Error.WriteLine(CommandLine.Usage);
            return 2;
        }
        using var interrupted = new CancellationTokenSource();
        // Ctrl-C, SIGTERM and SIGHUP unwind the current run, which kills its replicas and removes its namespaces;
        // only a SIGKILL leaves them behind, for the next run to remove.
        using var sigint = Interrupts(PosixSignal.SIGINT, interrupted);
        using var sigterm = Interrupts(PosixSignal.SIGTERM, interrupted);
        using var sighup = Interrupts(PosixSignal.SIGHUP, interrupted);
        var first = commandLine.Template.Seed;
        Console.WriteLine($"fault harness: {commandLine.Runs} run(s) from seed {first}");
        var failures = 0;
        for (var run = 0; run < commandLine.Runs && !interrupted.IsCancellationRequested; run++)
        {
            var options = commandLine.Template with { Seed = first + run };
            try
            {
                var report = await FaultRun.RunAsync(options, Console.WriteLine, interrupted.Token);
                failures += report.HasViolation ? 1 : 0;
            }
            catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
            {
                Console.WriteLine($"run with seed {options.Seed} interrupted; its replicas and network are removed");
            }
            catch (Exception failure) when (failure is not OutOfMemoryException)
            {
                Console.WriteLine($"run with seed {options.Seed} did not complete: {failure}");
                failures++;
            }
        }
        Console.WriteLine(failures == 0 && !interrupted.IsCancellationRequested
            ? "no violations"
            : $"{failures} failed run(s); replay one with --seed SEED --runs 1");
        return failures == 0 && !interrupted.IsCancellationRequested ? 0 : 1;
    }

    private static PosixSignalRegistration Interrupts(PosixSignal signal, CancellationTokenSource interrupted) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            interrupted.Cancel();
        });
}
