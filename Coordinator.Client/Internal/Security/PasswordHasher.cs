using System.Security.Cryptography;
using System.Text;
using Coordinator.Core.StateMachine;

namespace Coordinator.Client;

/// <summary>
/// PBKDF2 with HMAC-SHA-256 from the BCL: the shell side of passwords, used by the gateway (which runs it off its
/// actor's thread, since it is slow on purpose) and by <see cref="CoordinatorCredentials.Digest"/>. The state machine
/// only stores the result.
/// </summary>
internal static class PasswordHasher
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static PasswordDigest Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordDigest(iterations, salt, Derive(password, salt, iterations, HashBytes));
    }

    /// <summary>Compares in constant time, so the answer's timing says nothing about how close a guess was.</summary>
    public static bool Verify(string password, PasswordDigest digest) =>
        digest.IsWellFormed && CryptographicOperations.FixedTimeEquals(Derive(password, digest.Salt, digest.Iterations, digest.Hash.Length), digest.Hash);

    private static byte[] Derive(string password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, length);
}
