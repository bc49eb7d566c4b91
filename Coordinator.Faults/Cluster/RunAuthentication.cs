using System.Security.Cryptography;
using Coordinator.Client;

namespace Coordinator.Faults.Cluster;

/// <summary>
/// An authenticated run (issue 19): the replicas refuse anonymous sessions, a super user made for the run adds one
/// workload user, every workload client logs in as that user, and every node created without an explicit ACL gets
/// <c>digest:worker:cdrwa</c>, so each checked operation passes the ACL check of a non-world entry. Passwords are drawn
/// per run. Hashing costs the least PBKDF2 allows (1000 iterations): the ephemeral workload logs in hundreds of times
/// a run, and the cost of a login is not what the run checks.
/// </summary>
internal sealed record RunAuthentication(string AdminPassword, string WorkerPassword)
{
    public const string Admin = "admin";

    public const string Worker = "worker";

    private const int Iterations = 1000;

    public static RunAuthentication Make() => new(Password(), Password());

    public string ReplicaHocon => $$"""
        coordinator.security {
          allow-anonymous = off
          super-user = "{{Admin}}"
          super-user-digest = "{{CoordinatorCredentials.Digest(AdminPassword, Iterations)}}"
          default-acl = "digest:{{Worker}}:cdrwa"
          password-iterations = {{Iterations}}
        }
        """;

    public CoordinatorCredentials AdminCredentials => new(Admin, AdminPassword);

    public CoordinatorCredentials WorkerCredentials => new(Worker, WorkerPassword);

    private static string Password() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
