using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>ZooKeeper's PathUtils.validatePath, plus a length bound.</summary>
internal static class PathRules
{
    /// <summary>
    /// A sequential create may end with '/' (the suffix becomes the last segment), so it is checked as
    /// ZooKeeper does: with one character appended.
    /// </summary>
    public static bool IsValid(string? path, int maxLength, bool sequential = false)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/' || path.Length > maxLength)
        {
            return false;
        }
        if (path.Length == 1)
        {
            return true;
        }
        if (path[^1] == '/' && !sequential)
        {
            return false;
        }
        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                if (IsForbidden(path[i]))
                {
                    return false;
                }
                continue;
            }
            var segment = path.AsSpan(segmentStart, i - segmentStart);
            var isLastOfSequential = sequential && i == path.Length;
            if (segment.IsEmpty && !isLastOfSequential)
            {
                return false;
            }
            if (segment is "." or "..")
            {
                return false;
            }
            segmentStart = i + 1;
        }
        return true;
    }

    public static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    public static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    public static string Join(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;

    private static bool IsForbidden(char c) =>
        c == '\u0000'
        || c is > '\u0000' and <= '\u001f'
        || c is >= '\u007f' and <= '\u009f'
        || c is >= '\ud800' and <= '\uf8ff'
        || c is >= '\ufff0' and <= '\uffff';
}
