using System.Globalization;

namespace PdCluster.Tests.Node;

/// <summary>Files of cluster filter documents for the bulk form of <c>pd filter add FILE</c>: a JSON list, one document a line.</summary>
internal static class FilterListFile
{
    /// <summary>A document counting UDP to <paramref name="port"/>.</summary>
    public static string Document(string id, int port) =>
        $$"""{ "schemaVersion": 1, "filter": { "id": "{{id}}", "priority": 50, "action": "count", "match": { "protocol": "udp", "destinationPort": "{{port.ToString(CultureInfo.InvariantCulture)}}" } } }""";

    /// <summary>Writes <paramref name="documents"/> as a list to <paramref name="path"/> and returns the path.</summary>
    public static string Write(string path, IEnumerable<string> documents)
    {
        File.WriteAllText(path, $"[\n{string.Join(",\n", documents)}\n]\n");
        return path;
    }

    /// <summary><paramref name="count"/> documents <c>{prefix}-0000</c>… on ports from 20000.</summary>
    public static IEnumerable<string> Many(string prefix, int count) => Enumerable.Range(0, count).Select(i => Document($"{prefix}-{i:D4}", 20_000 + i));
}
