namespace Coordinator.Client;

/// <summary>A user name and password a session logs in with (<see cref="CoordinatorClientOptions.Credentials"/>).</summary>
public sealed record CoordinatorCredentials(string User, string Password)
{
    /// <summary>
    /// A digest of <paramref name="password"/> with a fresh salt, in the text form of
    /// <c>coordinator.security.super-user-digest</c> (<c>pbkdf2-sha256:ITERATIONS:SALT:HASH</c>).
    /// </summary>
    public static string Digest(string password, int iterations = 100_000)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1000);
        return PasswordHasher.Hash(password, iterations).ToString();
    }

    /// <summary>Keeps the password out of logs and debugger views.</summary>
    public override string ToString() => $"CoordinatorCredentials {{ User = {User} }}";
}
