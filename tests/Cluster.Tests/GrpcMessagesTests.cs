using System.Buffers.Binary;
using Google.Protobuf;
using PdCluster.Cluster.Etcd;
using PdCluster.Cluster.Etcd.Wire;
using ResponseHeader = PdCluster.Cluster.Etcd.Wire.ResponseHeader;
using KeyValue = PdCluster.Cluster.Etcd.Wire.KeyValue;

namespace PdCluster.Tests.Cluster;

/// <summary>gRPC's message framing as the etcd watch reads it: whole messages, the stream's clean end, and torn or foreign frames refused.</summary>
public sealed class GrpcMessagesTests
{
    private static WatchResponse Answer(int events) => new()
    {
        Header = new ResponseHeader { Revision = 40 + events },
        Events = { Enumerable.Range(0, events).Select(i => new Event { Type = i % 2 == 0 ? Event.Types.EventType.Put : Event.Types.EventType.Delete, Kv = new KeyValue { Key = ByteString.CopyFromUtf8($"/pd/k{i}"), Value = ByteString.CopyFromUtf8($"v{i}"), ModRevision = 10 + i } }) },
    };

    private static async Task<byte[]> FramedAsync(params IMessage[] messages)
    {
        var bytes = new MemoryStream();
        foreach (var m in messages)
            await GrpcMessages.Frame(m).CopyToAsync(bytes);
        return bytes.ToArray();
    }

    [Fact]
    public async Task Framed_answers_read_back_whole_and_in_order_then_the_stream_ends_cleanly()
    {
        var sent = new[] { Answer(0), Answer(3), Answer(1000) };
        using var messages = new GrpcMessages(new MemoryStream(await FramedAsync(sent)), "/test");

        foreach (var expected in sent)
            Assert.Equal(expected, await messages.ReadAsync(WatchResponse.Parser, default));
        Assert.False(messages.Ended);
        Assert.Null(await messages.ReadAsync(WatchResponse.Parser, default));
        Assert.True(messages.Ended);
    }

    [Fact]
    public async Task A_frame_carries_its_length_big_endian_after_a_zero_flag()
    {
        var request = new WatchRequest { CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8("/pd/"), StartRevision = 7 } };
        var frame = await FramedAsync(request);

        Assert.Equal(0, frame[0]);
        Assert.Equal((uint)request.CalculateSize(), BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1)));
        Assert.Equal(request, WatchRequest.Parser.ParseFrom(frame.AsSpan(5)));
        Assert.Equal("application/grpc", GrpcMessages.Frame(request).Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(20)]
    public async Task A_stream_cut_inside_a_frame_is_a_broken_stream_not_an_end(int kept)
    {
        var frame = await FramedAsync(Answer(2));
        using var messages = new GrpcMessages(new MemoryStream(frame[..kept]), "/test");

        await Assert.ThrowsAnyAsync<EndOfStreamException>(() => messages.ReadAsync(WatchResponse.Parser, default));
        Assert.False(messages.Ended);
    }

    [Fact]
    public async Task A_compressed_frame_or_bytes_that_are_not_the_message_are_refused_naming_the_call()
    {
        var compressed = await FramedAsync(Answer(1));
        compressed[0] = 1;
        using var first = new GrpcMessages(new MemoryStream(compressed), "/etcdserverpb.Watch/Watch");
        var refused = await Assert.ThrowsAsync<EtcdException>(() => first.ReadAsync(WatchResponse.Parser, default));
        Assert.Contains("/etcdserverpb.Watch/Watch", refused.Message, StringComparison.Ordinal);
        Assert.Contains("compressed", refused.Message, StringComparison.Ordinal);

        var garbage = new byte[] { 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF };
        using var second = new GrpcMessages(new MemoryStream(garbage), "/etcdserverpb.Watch/Watch");
        var malformed = await Assert.ThrowsAsync<EtcdException>(() => second.ReadAsync(WatchResponse.Parser, default));
        Assert.Contains("not its protobuf", malformed.Message, StringComparison.Ordinal);
    }
}
