namespace PdCluster.Tests.Provider.Veth;

/// <summary>Marks a provider contract class whose harness needs the host's veth prerequisites (see <see cref="HostPrerequisite"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsVethHostAttribute : Attribute;
