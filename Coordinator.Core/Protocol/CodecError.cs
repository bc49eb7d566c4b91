namespace Coordinator.Core.Protocol;

internal enum CodecError : byte
{
    None = 0,
    Empty,
    UnsupportedVersion,
    UnknownTag,
    Truncated,
    InvalidValue,
    TrailingBytes,

    /// <summary>A multi inside a multi: refused so hostile input cannot recurse deeply.</summary>
    NestedMulti,
}
