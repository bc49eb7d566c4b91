using System.Diagnostics;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Security;

/// <summary>Runs config/make-dev-certs.sh, the script the README gives for a local secure cluster.</summary>
internal static class DevCertificates
{
    public static async Task MakeAsync(string directory)
    {
        var script = Path.Combine(ServiceBinary.RepositoryRoot, "config", "make-dev-certs.sh");
        var start = new ProcessStartInfo("bash", [script, "-o", directory]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(bounded.Token);
        Assert.True(process.ExitCode == 0, $"make-dev-certs.sh failed: {await output} {await error}");
    }
}
