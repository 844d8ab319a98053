namespace PdCluster.Actors.Framework;

/// <summary>What a node writes under <c>members/&lt;node&gt;</c>.</summary>
public sealed record MemberRecord(string Node, string Admin, DateTimeOffset Since);
