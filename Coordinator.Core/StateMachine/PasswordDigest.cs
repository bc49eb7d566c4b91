using System.Globalization;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// A stored password: PBKDF2 with HMAC-SHA-256 over the password, <see cref="Salt"/> and <see cref="Iterations"/>.
/// The state machine only stores and replicates it; the gateway computes and compares it (slow on purpose, so never
/// inside an Apply). Text form, for configuration: <c>pbkdf2-sha256:iterations:salt-base64:hash-base64</c>.
/// </summary>
internal sealed record PasswordDigest(int Iterations, byte[] Salt, byte[] Hash)
{
    public const string Prefix = "pbkdf2-sha256";

    /// <summary>Whether the digest could have come from a gateway: a positive count, a salt and a hash.</summary>
    public bool IsWellFormed => Iterations > 0 && Salt is { Length: > 0 } && Hash is { Length: > 0 };

    public override string ToString() =>
        $"{Prefix}:{Iterations.ToString(CultureInfo.InvariantCulture)}:{Convert.ToBase64String(Salt)}:{Convert.ToBase64String(Hash)}";

    /// <returns>Null when <paramref name="text"/> is not of the text form.</returns>
    public static PasswordDigest? TryParse(string? text)
    {
        var parts = text?.Split(':');
        if (parts is not [Prefix, var iterations, var salt, var hash]
            || !int.TryParse(iterations, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return null;
        }
        try
        {
            var digest = new PasswordDigest(count, Convert.FromBase64String(salt), Convert.FromBase64String(hash));
            return digest.IsWellFormed ? digest : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
