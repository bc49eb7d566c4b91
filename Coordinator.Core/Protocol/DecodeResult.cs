namespace Coordinator.Core.Protocol;

internal readonly record struct DecodeResult<T>(T? Value, CodecError Error)
    where T : class
{
    public bool IsOk => Error == CodecError.None;

    public static DecodeResult<T> Ok(T value) => new(value, CodecError.None);

    public static DecodeResult<T> Fail(CodecError error) => new(null, error);
}
