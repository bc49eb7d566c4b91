namespace Coordinator.Client.Recipes;

/// <summary>
/// A name that is already an absolute path is used as it is; any other name goes under <c>/locks</c>. Names are
/// not escaped: one that is not a valid path segment fails with <see cref="InvalidPathException"/>.
/// </summary>
internal static class LockNames
{
    public static string ToPath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name.StartsWith('/') ? name : "/locks/" + name;
    }
}
