namespace Coordinator.Service.Runtime;

/// <summary>A replica's note to itself: write the next slice of the snapshot it is capturing.</summary>
internal sealed record CaptureSlice
{
    public static CaptureSlice Instance { get; } = new();

    private CaptureSlice()
    {
    }
}
