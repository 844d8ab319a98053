using PdCluster.VSwitch;

namespace PdCluster.Tests.VSwitch;

/// <summary>
/// A namespace VM's names: its namespace is the host's prefix and the VM's name, and the host end of its veth pair keeps
/// within IFNAMSIZ whatever the two are, while two prefixes give the same VM name two host ends.
/// </summary>
public sealed class NamespaceVmNameTests
{
    [Fact]
    public void The_host_end_is_13_characters_for_the_longest_prefix_and_vm_name_and_differs_by_prefix()
    {
        var longest = new string('p', 32) + new string('v', 64);
        Assert.True(NamespaceVm.IsNamespacePrefix(new string('p', 32)));
        Assert.Matches("^pdv[0-9a-f]{10}$", NamespaceVm.HostInterfaceOf(longest));
        Assert.True(NamespaceVm.HostInterfaceOf(longest).Length < 16, "IFNAMSIZ is 16 bytes with the terminating NUL");
        Assert.NotEqual(NamespaceVm.HostInterfaceOf("pdvm-vm1"), NamespaceVm.HostInterfaceOf("pdlab-vm-vm1"));
    }

    [Theory]
    [InlineData("pdvm-", true)]
    [InlineData("pdlab-vm-", true)]
    [InlineData("9.lab_vm-", true)]
    [InlineData("", false)]
    [InlineData("-vm-", false)]
    [InlineData(".vm", false)]
    [InlineData("lab/vm-", false)]
    [InlineData("lab vm-", false)]
    [InlineData("pdlab-vm-\u00e9", false)]
    [InlineData("a-prefix-longer-than-32-characters", false)]
    public void A_prefix_is_a_short_plain_name(string prefix, bool valid) => Assert.Equal(valid, NamespaceVm.IsNamespacePrefix(prefix));
}
