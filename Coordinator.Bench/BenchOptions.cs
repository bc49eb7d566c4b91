using System.Globalization;

namespace Coordinator.Bench;

/// <summary>
/// The options every client workload shares: <c>--clients C --warmup S --duration S --seed N --json FILE
/// --servers host:port,...</c> (without <c>--servers</c> the bench starts its own cluster of <c>--replicas</c> processes, default 3, with
/// <c>--replica-hocon TEXT</c> appended to their configuration, and with <c>--tls</c> and <c>--auth</c> secured as
/// <see cref="BenchSecurity"/> says).
/// </summary>
internal sealed record BenchOptions(
    string Workload,
    int Clients,
    TimeSpan Warmup,
    TimeSpan Duration,
    int Seed,
    string? JsonPath,
    IReadOnlyList<string>? Servers,
    int Replicas,
    string ReplicaHocon,
    bool Tls = false,
    bool Auth = false)
{
    public static BenchOptions Parse(string workload, string[] args, int defaultClients) => new(
        workload,
        int.Parse(Program.ArgValue(args, "--clients") ?? defaultClients.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        Seconds(args, "--warmup", 5),
        Seconds(args, "--duration", 20),
        int.Parse(Program.ArgValue(args, "--seed") ?? "1", CultureInfo.InvariantCulture),
        Program.ArgValue(args, "--json"),
        Program.ArgValue(args, "--servers")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        int.Parse(Program.ArgValue(args, "--replicas") ?? "3", CultureInfo.InvariantCulture),
        Program.ArgValue(args, "--replica-hocon") ?? "",
        args.Contains("--tls"),
        args.Contains("--auth"));

    private static TimeSpan Seconds(string[] args, string flag, double fallback) =>
        TimeSpan.FromSeconds(double.Parse(Program.ArgValue(args, flag) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
}
