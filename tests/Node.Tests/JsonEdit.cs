using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PdCluster.Tests.Node;

/// <summary>Edits test documents by key path (<c>adapters[0].simulated.mac</c>, <c>[1].match.protocol</c>), the form pd's errors name keys in.</summary>
internal static partial class JsonEdit
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Every value of <paramref name="json"/> with its key path and kind, the root (path "") first.</summary>
    public static List<(string Path, JsonValueKind Kind)> Nodes(string json)
    {
        var nodes = new List<(string, JsonValueKind)>();
        Walk(JsonNode.Parse(json, documentOptions: Options)!, "", nodes);
        return nodes;
    }

    /// <summary><paramref name="json"/> with the value at <paramref name="path"/> set (added or replaced) to the JSON text <paramref name="value"/>.</summary>
    public static string Set(string json, string path, string value)
    {
        if (path.Length == 0)
            return value;
        var root = JsonNode.Parse(json, documentOptions: Options)!;
        var segments = Segment().Matches(path).ToList();
        var parent = root;
        foreach (var segment in segments[..^1])
            parent = segment.Groups[1].Success ? parent[segment.Groups[1].Value]! : parent[int.Parse(segment.Groups[2].Value)]!;
        var last = segments[^1];
        var node = JsonNode.Parse(value, documentOptions: Options);
        if (last.Groups[1].Success)
            parent.AsObject()[last.Groups[1].Value] = node;
        else
            parent.AsArray()[int.Parse(last.Groups[2].Value)] = node;
        return root.ToJsonString();
    }

    private static void Walk(JsonNode? node, string path, List<(string, JsonValueKind)> nodes)
    {
        nodes.Add((path, node?.GetValueKind() ?? JsonValueKind.Null));
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                    Walk(child, path.Length == 0 ? key : $"{path}.{key}", nodes);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    Walk(a[i], $"{path}[{i}]", nodes);
                break;
        }
    }

    [GeneratedRegex(@"([^.\[\]]+)|\[(\d+)\]")]
    private static partial Regex Segment();
}
