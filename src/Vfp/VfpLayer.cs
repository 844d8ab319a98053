namespace PdCluster.Vfp;

/// <summary>
/// One layer of a port's policy: inbound packets pass the layers in ascending <see cref="Priority"/>, outbound ones
/// in descending, so a NAT layer placed first sees inbound packets first and outbound packets last.
/// </summary>
public sealed record VfpLayer(string Name, int Priority);
