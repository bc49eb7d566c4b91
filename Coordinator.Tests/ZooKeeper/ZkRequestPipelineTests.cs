using Coordinator.Core.ZooKeeper;
using Xunit;

namespace Coordinator.Tests.ZooKeeper;

/// <summary>The order rule of one ZooKeeper connection: reads together, anything else alone, answers in arrival order.</summary>
[Trait("Category", "ZooKeeper")]
public sealed class ZkRequestPipelineTests
{
    [Fact]
    public void Consecutive_reads_start_together_and_a_write_waits_for_them()
    {
        var pipeline = new ZkRequestPipeline();
        var (read1, read2, write, read3) = (Packet(1, ZkOpCode.GetData), Packet(2, ZkOpCode.Exists), Packet(3, ZkOpCode.SetData), Packet(4, ZkOpCode.GetChildren2));
        foreach (var packet in new[] { read1, read2, write, read3 })
        {
            pipeline.Enqueue(packet);
        }
        Assert.Same(read1, pipeline.Start());
        Assert.Same(read2, pipeline.Start());
        Assert.Null(pipeline.Start());

        pipeline.Answer(read1, [1]);
        Assert.Equal([[1]], pipeline.TakeAnswers());
        Assert.Null(pipeline.Start());
        pipeline.Answer(read2, [2]);
        Assert.Equal([[2]], pipeline.TakeAnswers());

        Assert.Same(write, pipeline.Start());
        Assert.Null(pipeline.Start());
        pipeline.Answer(write, [3]);
        Assert.Equal([[3]], pipeline.TakeAnswers());
        Assert.Same(read3, pipeline.Start());
    }

    [Fact]
    public void An_answer_that_completes_early_waits_for_those_before_it()
    {
        var pipeline = new ZkRequestPipeline();
        var reads = Enumerable.Range(1, 3).Select(xid => Packet(xid, ZkOpCode.GetData)).ToList();
        reads.ForEach(pipeline.Enqueue);
        reads.ForEach(_ => pipeline.Start());
        pipeline.Asked(reads[0], 10);
        pipeline.Asked(reads[2], 12);

        Assert.Same(reads[2], pipeline.WaitingFor(12));
        pipeline.Answer(reads[2], [3]);
        pipeline.Answer(reads[1], [2]);
        Assert.Empty(pipeline.TakeAnswers());
        Assert.Null(pipeline.WaitingFor(12));

        pipeline.Answer(reads[0], [1]);
        Assert.Equal([[1], [2], [3]], pipeline.TakeAnswers());
        Assert.Equal((0, 0), (pipeline.Queued, pipeline.Running));
    }

    [Fact]
    public void A_read_after_a_write_starts_only_once_the_write_was_answered()
    {
        var pipeline = new ZkRequestPipeline();
        var (write, read) = (Packet(1, ZkOpCode.Create), Packet(2, ZkOpCode.GetData));
        pipeline.Enqueue(write);
        pipeline.Enqueue(read);
        Assert.Same(write, pipeline.Start());
        Assert.Null(pipeline.Start());
        pipeline.Answer(write, [1]);
        Assert.Null(pipeline.Start());
        Assert.Single(pipeline.TakeAnswers());
        Assert.Same(read, pipeline.Start());
    }

    [Theory]
    [InlineData((int)ZkOpCode.Sync)]
    [InlineData((int)ZkOpCode.Multi)]
    [InlineData((int)ZkOpCode.SetWatches)]
    [InlineData((int)ZkOpCode.AddWatch)]
    [InlineData((int)ZkOpCode.CloseSession)]
    public void Everything_but_a_read_runs_alone(int code)
    {
        var pipeline = new ZkRequestPipeline();
        var (read, other) = (Packet(1, ZkOpCode.Exists), Packet(2, (ZkOpCode)code));
        pipeline.Enqueue(read);
        pipeline.Enqueue(other);
        Assert.Same(read, pipeline.Start());
        Assert.Null(pipeline.Start());
        Assert.False(ZkRequestPipeline.IsRead((ZkOpCode)code));
    }

    private static ZkPacket Packet(int xid, ZkOpCode op) => new(xid, op, ZkEmptyRecord.Instance);
}
