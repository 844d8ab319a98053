using System.Buffers.Binary;
using System.Text;

namespace PdCluster.Provider.AfXdp;

/// <summary>Reads the link messages out of one rtnetlink datagram, bounds-checking every length; malformed input ends the read, never throws.</summary>
public static class RtnetlinkParser
{
    private const int HeaderLength = 16;
    private const int IfInfoLength = 16;
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const ushort RtmNewLink = 16;
    private const ushort RtmDelLink = 17;
    private const ushort IflaIfName = 3;
    private const ushort IflaOperState = 16;
    private const ushort AttributeTypeMask = 0x3fff;

    /// <summary>
    /// Appends the link, done and error messages of <paramref name="datagram"/> to <paramref name="messages"/> (other
    /// types are skipped). Returns false when a message is malformed: what came before it is kept, the rest dropped.
    /// </summary>
    public static bool Parse(ReadOnlySpan<byte> datagram, List<LinkMessage> messages)
    {
        while (datagram.Length >= HeaderLength)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(datagram);
            if (length < HeaderLength || length > (uint)datagram.Length)
                return false;
            var type = BinaryPrimitives.ReadUInt16LittleEndian(datagram[4..]);
            var sequence = BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]);
            var payload = datagram[HeaderLength..(int)length];
            switch (type)
            {
                case RtmNewLink or RtmDelLink:
                    if (!TryLink(payload, type == RtmNewLink ? NetlinkKind.NewLink : NetlinkKind.DelLink, sequence, out var link))
                        return false;
                    messages.Add(link);
                    break;
                case NlmsgDone:
                    messages.Add(new LinkMessage(NetlinkKind.Done, sequence));
                    break;
                case NlmsgError:
                    if (payload.Length < 4)
                        return false;
                    messages.Add(new LinkMessage(NetlinkKind.Error, sequence, Error: BinaryPrimitives.ReadInt32LittleEndian(payload)));
                    break;
            }
            var next = Align((int)length);
            if (next >= datagram.Length)
                return true;
            datagram = datagram[next..];
        }
        return datagram.IsEmpty;
    }

    private static bool TryLink(ReadOnlySpan<byte> payload, NetlinkKind kind, uint sequence, out LinkMessage link)
    {
        link = default;
        if (payload.Length < IfInfoLength)
            return false;
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string? name = null;
        byte? operState = null;
        var attributes = payload[IfInfoLength..];
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & AttributeTypeMask);
            if (length < 4 || length > attributes.Length)
                return false;
            var value = attributes[4..length];
            switch (type)
            {
                case IflaIfName:
                    var end = value.IndexOf((byte)0);
                    if (end < 0)
                        return false;
                    name = Encoding.UTF8.GetString(value[..end]);
                    break;
                case IflaOperState:
                    if (value.Length < 1)
                        return false;
                    operState = value[0];
                    break;
            }
            var next = Align(length);
            if (next >= attributes.Length)
            {
                attributes = default;
                break;
            }
            attributes = attributes[next..];
        }
        if (!attributes.IsEmpty)
            return false;
        link = new LinkMessage(kind, sequence, index, flags, name, operState);
        return true;
    }

    private static int Align(int length) => (length + 3) & ~3;
}
