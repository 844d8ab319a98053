using System.Text.Json;

namespace PdCluster.Node.ClusterAccess;

/// <summary>A key under <c>filters/</c>: the id, the revision of its last write, the document as stored, and why it does not read (null when it does).</summary>
internal sealed record StoredFilter(string Id, long Revision, string Document, string? Error)
{
    /// <summary>The syntax the cluster filter reader takes: comments and trailing commas.</summary>
    private static readonly JsonDocumentOptions Syntax = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The document as JSON (its comments left out), for readers of <c>-o json</c> (<c>jq .parsed.filter</c>); null when it does not read.</summary>
    public JsonElement? Parsed => Error is null ? JsonElement.Parse(Document, Syntax) : null;
}
