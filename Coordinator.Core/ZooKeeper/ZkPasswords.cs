using System.Buffers.Binary;

namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// A ZooKeeper session password is 16 opaque bytes the client echoes on reconnect; here they carry the Coordinator
/// session's 64-bit secret, then 8 zero bytes.
/// </summary>
internal static class ZkPasswords
{
    public const int Bytes = 16;

    public static byte[] FromSecret(long secret)
    {
        var password = new byte[Bytes];
        BinaryPrimitives.WriteInt64BigEndian(password, secret);
        return password;
    }

    /// <returns>The secret, or null when the bytes are not a password this server handed out.</returns>
    public static long? ToSecret(ReadOnlySpan<byte> password) =>
        password.Length == Bytes && password[8..].IndexOfAnyExcept((byte)0) < 0 ? BinaryPrimitives.ReadInt64BigEndian(password) : null;
}
