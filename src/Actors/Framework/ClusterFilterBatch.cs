using System.Text.Json;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;

namespace PdCluster.Actors.Framework;

/// <summary>
/// The documents of a cluster filter file: one <see cref="ClusterFilter"/> document, or a JSON array of them (the bulk
/// form of <c>pd filter add FILE</c>). Each is read and checked as <see cref="ClusterFilter.Read"/> does, named in
/// errors by the file and its index (<c>FILE [3]</c>), and no two may share an id; one bad document refuses the file.
/// </summary>
public static class ClusterFilterBatch
{
    private static readonly JsonDocumentOptions Syntax = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads <paramref name="json"/>; a <see cref="FilterSpecException"/> names <paramref name="source"/>, the document's index, the key and the problem.</summary>
    public static IReadOnlyList<ClusterFilter> Read(string json, string source)
    {
        if (!IsList(json))
            return [ClusterFilter.Read(json, source)];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Syntax);
        }
        catch (JsonException e)
        {
            var error = JsonInput.SyntaxError(source, e);
            throw new FilterSpecException(error.Message, error.Problem);
        }
        using (document)
        {
            var filters = new List<ClusterFilter>(document.RootElement.GetArrayLength());
            if (filters.Capacity == 0)
                throw new FilterSpecException($"{source}: the list holds no filter documents; nothing to write.");
            var first = new Dictionary<string, int>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var named = $"{source} [{index}]";
                if (element.ValueKind != JsonValueKind.Object)
                    throw new FilterSpecException($"{named}: is {Kind(element.ValueKind)}; each item of the list is a filter document {{\"schemaVersion\":1,\"filter\":{{…}}}}.");
                var filter = ClusterFilter.Read(element.GetRawText(), named);
                if (!first.TryAdd(filter.Id, index))
                    throw ClusterFilter.Fail(named, "filter.id", $"'{filter.Id}' is the id of [{first[filter.Id]}] as well; a file writes each filter once.");
                filters.Add(filter);
                index++;
            }
            return filters;
        }
    }

    /// <summary>Whether the first token of <paramref name="json"/> opens a list (the bulk form); a malformed start is left to the document reader to name.</summary>
    public static bool IsList(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json.Length > 4096 ? json[..4096] : json),
            isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip }));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartArray;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A JSON value's kind in words: "a number", "a list", "null".</summary>
    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
