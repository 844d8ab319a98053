namespace PdCluster.Node.Commands;

/// <summary>One item in <c>pd owners</c>: who owns it (null: no one), whether that node is still a member, and which live nodes declare it.</summary>
internal sealed record OwnerRow(string Item, string? Owner, bool OwnerLive, DateTimeOffset? Since, IReadOnlyList<string> Eligible);
