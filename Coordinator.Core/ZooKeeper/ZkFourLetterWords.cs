using System.Text;

namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// ZooKeeper's four-letter words: four ASCII bytes sent instead of a ConnectRequest, answered in plain text before the
/// server closes the connection. Only the liveness probes are served; the rest name server internals Coordinator does
/// not have and close the connection with a logged reason.
/// </summary>
internal static class ZkFourLetterWords
{
    private static readonly HashSet<string> Known =
        ["ruok", "isro", "srvr", "stat", "mntr", "conf", "cons", "crst", "dump", "envi", "srst", "wchs", "wchc", "wchp", "dirs", "gtmk", "stmk"];

    /// <returns>The word, or null when the bytes are not one (a frame's length prefix instead).</returns>
    public static string? Word(ReadOnlySpan<byte> first4)
    {
        if (first4.Length != 4)
        {
            return null;
        }
        var word = Encoding.ASCII.GetString(first4);
        return Known.Contains(word) ? word : null;
    }

    /// <returns>The text to answer, or null for a word that is not served.</returns>
    public static string? Answer(string word) => word switch
    {
        "ruok" => "imok",
        "isro" => "rw",
        _ => null,
    };
}
