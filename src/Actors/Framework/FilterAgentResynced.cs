namespace PdCluster.Actors.Framework;

/// <summary>A <see cref="FilterAgent"/> read every filter again (its watch lost history or failed): what differed from the set it had.</summary>
public sealed record FilterAgentResynced(string Node, long Revision, int Added, int Removed, int Changed);
