namespace PdCluster.Tests.Node;

/// <summary>
/// Bad input to <c>pd vswitch</c>, <c>pd vm</c> and <c>pd vfp</c> that pd refuses before it reaches any node: a rule
/// file that is a directory or endless, names a route cannot carry, and malformed options. Each is exit code 2 with
/// the option or file and the problem, never a stack trace.
/// </summary>
public sealed class VSwitchCommandInputTests
{
    // No node listens here: every refusal below must come before pd asks one.
    private static readonly string[] Nowhere = ["--endpoint", "http://127.0.0.1:1"];

    private static readonly string[] Rule = ["--id", "a", "--layer", "acl", "--group", "in", "--direction", "inbound", "--action", "allow"];

    public static TheoryData<string, string[]> Refusals => new()
    {
        { "pd: /dev/zero: is larger than 1 MiB, too large to be a file pd reads.", ["vfp", "rule", "add", "/dev/zero", "--port", "P"] },
        { "pd: '' is not a VM name: 1 to 64 characters", ["vm", "adapter", "add", "", "--switch", "sw", "--static-mac", "00:15:5d:00:00:01"] },
        { "pd: '' is not a VM name", ["vm", "start", ""] },
        { "pd: --port: '' is not a port name", ["vfp", "disable-port", "--port", ""] },
        { "pd: --port: '' is not a port name", ["vfp", "rule", "rm", "x", "--port", ""] },
        { $"pd: --port: '{new string('é', 200)}…' (2,000 characters) is not a port name", ["vfp", "disable-port", "--port", new string('é', 2000)] },
        { "pd: --priority: '99999999999' is not a whole number from -2147483648 to 2147483647.", ["vfp", "rule", "add", "--port", "P", .. Rule, "--priority", "99999999999"] },
        { "pd: --match: protocol is given twice (protocol=tcp and protocol=udp)", ["vfp", "rule", "add", "--port", "P", .. Rule, "--match", "protocol=tcp", "--match", "protocol=udp"] },
        { "pd: --output: 'yaml' is not an output format; use table or json.", ["vfp", "list-ports", "-o", "yaml"] },
        { "pd: 'foo' is not a switch extension; the only one is vfp.", ["vswitch", "extension", "enable", "sw", "foo"] },
        { "pd: '' is not a switch name", ["vswitch", "rm", ""] },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Bad_input_is_exit_2_naming_the_problem_before_any_node_is_asked(string message, string[] args)
    {
        var (exit, _, error) = await ClusterCommandTests.Run([.. args, .. Nowhere]);
        Assert.True(exit == 2, $"pd {string.Join(' ', args)}: exit {exit}: {error}");
        Assert.StartsWith(message, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task A_rule_file_that_is_a_directory_is_exit_2()
    {
        var directory = Directory.CreateTempSubdirectory("pd-rule-dir-").FullName;
        try
        {
            var (exit, _, error) = await ClusterCommandTests.Run(["vfp", "rule", "add", directory, "--port", "P", .. Nowhere]);
            Assert.Equal(2, exit);
            Assert.Equal($"pd: {directory}: is a directory, not a file.", error.Trim());
        }
        finally
        {
            Directory.Delete(directory);
        }
    }
}
