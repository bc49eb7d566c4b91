namespace Coordinator.Core.Protocol;

/// <summary>Thrown by <see cref="WireReader"/> on truncated or impossible input; the codecs turn it into a typed error.</summary>
internal sealed class WireFormatException(CodecError error) : FormatException(error.ToString())
{
    public CodecError Error { get; } = error;
}
