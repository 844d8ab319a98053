using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>A receive filter or one of its conditions is malformed; the message says which and why.</summary>
public sealed class FilterSpecException(string message, string? problem = null) : ArgumentException(message)
{
    /// <summary>The problem alone, without the filter or field it was found in, so a caller can name those its own way.</summary>
    public string Problem { get; } = problem ?? message;

    /// <summary>The id of the one filter of a set that is refused, when the problem lies in one (null when unknown).</summary>
    public string? FilterId { get; init; }

    /// <summary>A problem with a condition on <paramref name="field"/>: the message is <c>Field: problem</c>.</summary>
    internal static FilterSpecException For(MatchField field, string problem) => new($"{field}: {problem}", problem);
}
