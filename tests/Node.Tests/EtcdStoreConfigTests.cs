using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Cluster.Etcd;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using PdCluster.Tests.Cluster.Etcd;

namespace PdCluster.Tests.Node;

/// <summary><c>"store": "etcd"</c>: the configuration's etcd section is checked key by key, and a node so configured registers in a real etcd.</summary>
public sealed class EtcdStoreConfigTests
{
    [Theory]
    [InlineData("\"store\": \"zookeeper\",", "store: 'zookeeper' is not a store this node has (known: memory, etcd)")]
    [InlineData("\"leaseTtl\": 1,", "leaseTtl: must be a whole number of seconds from 2")]
    [InlineData("\"store\": \"etcd\",", "etcd: must say how to reach etcd")]
    [InlineData("\"etcd\": { \"endpoints\": [\"http://127.0.0.1:2379\"] },", "etcd: is for store etcd only (this node's store is 'memory')")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [] },", "etcd.endpoints: list at least one")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [\"http://127.0.0.1:2379\", \"127.0.0.1:2379\"] },", "etcd.endpoints[1]: '127.0.0.1:2379' is not a member's client URL")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [\"http://127.0.0.1:2379/v3\"] },", "etcd.endpoints[0]: 'http://127.0.0.1:2379/v3' is not a member's client URL")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [\"http://127.0.0.1:2379\"], \"caFile\": \"ca.crt\" },", "etcd.endpoints[0]: 'http://127.0.0.1:2379' must be https://")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [\"https://127.0.0.1:2379\"], \"caFile\": \"missing.crt\" },", "missing.crt' does not exist or is not a file")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [\"https://127.0.0.1:2379\"], \"caFile\": \" \" },", "etcd.caFile: must name a file")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [\"https://127.0.0.1:2379\"], \"certFile\": \"client.crt\" },", "etcd.keyFile: certFile and keyFile go together")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [\"http://127.0.0.1:2379\"], \"user\": \"root\" },", "etcd.passwordFile: user and passwordFile go together")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoints\": [\"http://127.0.0.1:2379\"], \"user\": \"root\", \"passwordFile\": \"missing\" },", "etcd.passwordFile:")]
    [InlineData("\"store\": \"etcd\", \"etcd\": { \"endpoint\": \"http://127.0.0.1:2379\" },", "endpoint")]
    public void Bad_etcd_settings_name_the_file_and_key(string extra, string expected)
    {
        using var config = new TempConfig(extra: extra);
        var e = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path));
        Assert.StartsWith(config.Path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("\"caFile\": \"ca.crt\"", "ca.crt' holds no PEM certificate")]
    [InlineData("\"certFile\": \"client.crt\", \"keyFile\": \"client.key\"", "etcd.certFile: cannot load the client certificate")]
    public void A_file_that_is_no_PEM_certificate_is_refused_naming_the_key(string files, string expected)
    {
        using var config = new TempConfig(extra: $$""" "store": "etcd", "etcd": { "endpoints": ["https://127.0.0.1:2379"], {{files}} }, """);
        foreach (var name in new[] { "ca.crt", "client.crt", "client.key" })
            File.WriteAllText(Path.Combine(config.Directory, name), "not PEM");
        var e = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path));
        Assert.Contains(expected, e.Message);
    }

    [EtcdFact]
    public void Files_are_found_beside_the_configuration_and_the_password_is_its_files_first_line()
    {
        using var config = new TempConfig(extra: """
            "store": "etcd", "leaseTtl": 3,
            "etcd": { "endpoints": ["https://127.0.0.1:2379", "https://127.0.0.2:2379"], "caFile": "tls/ca.crt",
                      "certFile": "tls/client.crt", "keyFile": "tls/client.key", "user": "pd", "passwordFile": "tls/password" },
            """);
        var tls = Directory.CreateDirectory(Path.Combine(config.Directory, "tls")).FullName;
        TestCertificates.Create(tls);
        File.WriteAllText(Path.Combine(tls, "password"), "s3cret\nignored\n");

        var loaded = NodeConfigLoader.Load(config.Path);
        var etcd = Assert.IsType<EtcdOptions>(loaded.Etcd);
        Assert.Equal(["https://127.0.0.1:2379/", "https://127.0.0.2:2379/"], etcd.Endpoints.Select(e => e.ToString()));
        Assert.Equal((Path.Combine(tls, "ca.crt"), Path.Combine(tls, "client.crt"), Path.Combine(tls, "client.key")), (etcd.CaFile, etcd.CertFile, etcd.KeyFile));
        Assert.Equal(("pd", "s3cret"), (etcd.User, etcd.Password));
        Assert.Equal(3, loaded.Config.LeaseTtl);
    }

    [EtcdFact]
    public async Task A_node_on_an_etcd_with_TLS_and_auth_registers_and_leaves()
    {
        await using var etcd = await EtcdServer.StartAsync(tls: true);
        await etcd.EnableAuthAsync("s3cret");
        using var config = new TempConfig(extra: $$"""
            "cluster": "lab",
            "store": "etcd",
            "etcd": { "endpoints": ["{{etcd.Endpoints[0]}}"], "caFile": "{{etcd.Tls!.Ca}}", "certFile": "{{etcd.Tls.ClientCert}}",
                      "keyFile": "{{etcd.Tls.ClientKey}}", "user": "root", "passwordFile": "password" },
            """);
        File.WriteAllText(Path.Combine(config.Directory, "password"), "s3cret\n");
        await using var store = new EtcdStore(etcd.Options with { User = "root", Password = "s3cret" });

        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while ((await store.GetAsync("/pd/lab/members/test-node")).Items.Count == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the node never registered in etcd");
                await Task.Delay(100);
            }
            var member = (await store.GetAsync("/pd/lab/members/test-node")).Items.Single();
            Assert.NotEqual(0, member.Lease);
            Assert.Equal(host.AdminEndpoint.ToString(), JsonSerializer.Deserialize(member.Value, MembershipJson.Default.MemberRecord)!.Admin);
            Assert.Equal(["test-node"], (await host.MembersAsync()).Select(m => m.Node));
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Empty((await store.RangeAsync("/pd/lab/members/")).Items);
    }
}
