namespace PdCluster.Cluster.Etcd;

/// <summary>etcd's encoding of "every key under a prefix": [prefix, prefix with its last byte below 0xff incremented).</summary>
internal static class KeyRange
{
    /// <summary>The range of keys starting with <paramref name="prefix"/> (the empty prefix: every key).</summary>
    public static (byte[] Key, byte[] RangeEnd) Prefix(string prefix)
    {
        var key = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (var i = key.Length - 1; i >= 0; i--)
        {
            if (key[i] < 0xff)
            {
                var end = key[..(i + 1)];
                end[i]++;
                return (key.Length == 0 ? [0] : key, end);
            }
        }
        return (key.Length == 0 ? [0] : key, [0]);
    }
}
