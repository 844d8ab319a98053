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
            var elements = document.RootElement.EnumerateArray().ToArray();
            if (elements.Length == 0)
                throw new FilterSpecException($"{source}: the list holds no filter documents; nothing to write.");
            // Read on every core (a bulk file holds thousands); the first refusal in the file's order is the one reported.
            var filters = new ClusterFilter[elements.Length];
            var refusals = new FilterSpecException?[elements.Length];
            Parallel.For(0, elements.Length, i =>
            {
                try
                {
                    filters[i] = ReadItem(elements[i], $"{source} [{i}]");
                }
                catch (FilterSpecException e)
                {
                    refusals[i] = e;
                }
            });
            var first = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < filters.Length; i++)
            {
                if (refusals[i] is { } refusal)
                    throw refusal;
                if (!first.TryAdd(filters[i].Id, i))
                    throw ClusterFilter.Fail($"{source} [{i}]", "filter.id", $"'{filters[i].Id}' is the id of [{first[filters[i].Id]}] as well; a file writes each filter once.");
            }
            return filters;
        }
    }

    private static ClusterFilter ReadItem(JsonElement element, string named) =>
        element.ValueKind == JsonValueKind.Object
            ? ClusterFilter.Read(element.GetRawText(), named)
            : throw new FilterSpecException($"{named}: is {Kind(element.ValueKind)}; each item of the list is a filter document {{\"schemaVersion\":1,\"filter\":{{…}}}}.");

    /// <summary>Whether the first token of <paramref name="json"/> opens a list (the bulk form); a malformed start is left to the document reader to name.</summary>
    public static bool IsList(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
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
