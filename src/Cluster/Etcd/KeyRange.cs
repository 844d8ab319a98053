using System.Text;

namespace PdCluster.Cluster.Etcd;

/// <summary>etcd's encoding of "every key under a prefix": [prefix, prefix with its last byte incremented).</summary>
internal static class KeyRange
{
    /// <summary>The range of keys whose UTF-8 starts with <paramref name="prefix"/>'s (the empty prefix: every key).</summary>
    public static (byte[] Key, byte[] RangeEnd) Prefix(string prefix)
    {
        if (prefix.Length == 0)
            return ([0], [0]);
        var key = Encoding.UTF8.GetBytes(prefix);
        var end = (byte[])key.Clone();
        // UTF-8 never has a 0xff byte, so the last byte always has a successor.
        end[^1]++;
        return (key, end);
    }
}
