using System.Diagnostics;

namespace Coordinator.Faults.Network;

/// <summary>Runs the few system tools the harness needs (ip, nft) and fails loudly when one refuses.</summary>
internal static class Shell
{
    public static string Run(string file, IEnumerable<string> arguments, string? input = null, bool check = true)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {error.Result.Trim()}");
        }
        return output;
    }

    public static string Ip(params string[] arguments) => Run("ip", arguments);

    /// <summary>For teardown: a namespace or link that is already gone is not an error.</summary>
    public static void IpQuietly(params string[] arguments) => Run("ip", arguments, check: false);

    public static bool Exists(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':')
            .Append("/usr/sbin")
            .Append("/sbin")
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
}
