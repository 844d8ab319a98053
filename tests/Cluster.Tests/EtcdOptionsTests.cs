using PdCluster.Cluster.Etcd;

namespace PdCluster.Tests.Cluster;

public sealed class EtcdOptionsTests
{
    [Fact]
    public void Printed_options_name_the_endpoints_and_user_but_never_the_password()
    {
        var options = new EtcdOptions { Endpoints = [new Uri("https://127.0.0.1:2379")], User = "pd-node", Password = "s3cret-Pa55" };
        var text = options.ToString();
        Assert.Contains("https://127.0.0.1:2379/", text, StringComparison.Ordinal);
        Assert.Contains("User = pd-node", text, StringComparison.Ordinal);
        Assert.Contains("Password = (set)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", text, StringComparison.Ordinal);
    }
}
