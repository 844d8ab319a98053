using System.Buffers;
using System.Buffers.Binary;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace PdCluster.Cluster.Etcd;

/// <summary>
/// gRPC's message framing over HTTP/2: each message is a flag byte (0: not compressed), its length as four big-endian
/// bytes, and the protobuf encoding. Writes one request and reads a stream of responses.
/// </summary>
internal sealed class GrpcMessages(Stream stream, string call) : IDisposable
{
    private const int PrefixLength = 5;

    /// <summary>The content type of a gRPC request with protobuf messages.</summary>
    public static readonly MediaTypeHeaderValue ContentType = new("application/grpc");

    private readonly byte[] _prefix = new byte[PrefixLength];

    /// <summary>Whether the stream ended between messages, so the call's trailers (its status) have arrived.</summary>
    public bool Ended { get; private set; }

    /// <summary>The body of a call that sends one message.</summary>
    public static ByteArrayContent Frame(IMessage request)
    {
        var frame = new byte[PrefixLength + request.CalculateSize()];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(frame.Length - PrefixLength));
        request.WriteTo(frame.AsSpan(PrefixLength));
        return new ByteArrayContent(frame) { Headers = { ContentType = ContentType } };
    }

    /// <summary>The next message, or null where the stream ends between messages.</summary>
    public async Task<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancel) where T : class, IMessage<T>
    {
        var read = await stream.ReadAtLeastAsync(_prefix, PrefixLength, throwOnEndOfStream: false, cancel);
        if (read == 0)
        {
            Ended = true;
            return null;
        }
        if (read < PrefixLength)
            throw new EndOfStreamException($"etcd's answer to {call} ended inside a message.");
        if (_prefix[0] != 0)
            throw new EtcdException($"etcd answered {call} with a compressed message, which was not asked for.");
        var length = BinaryPrimitives.ReadUInt32BigEndian(_prefix.AsSpan(1));
        if (length > Array.MaxLength)
            throw new EtcdException($"etcd answered {call} with a message of {length} bytes, more than one buffer holds.");
        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)length), cancel);
            return parser.ParseFrom(buffer.AsSpan(0, (int)length));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new EtcdException($"etcd answered {call} with a message that is not its protobuf: {e.Message}", inner: e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => stream.Dispose();
}
