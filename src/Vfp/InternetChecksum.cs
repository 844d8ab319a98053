namespace PdCluster.Vfp;

/// <summary>Incremental update of an Internet checksum (RFC 1624, eqn. 3) when a 16- or 32-bit field it covers changes.</summary>
internal static class InternetChecksum
{
    /// <summary>The checksum after a 16-bit word of the data changes from <paramref name="old"/> to <paramref name="updated"/>.</summary>
    public static ushort Update(ushort checksum, ushort old, ushort updated)
    {
        var sum = (uint)(ushort)~checksum + (ushort)~old + updated;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>The checksum after a 32-bit field (an IPv4 address) changes.</summary>
    public static ushort Update(ushort checksum, uint old, uint updated) =>
        Update(Update(checksum, (ushort)(old >> 16), (ushort)(updated >> 16)), (ushort)old, (ushort)updated);
}
