namespace PdCluster.Tests.Cluster.Etcd;

/// <summary>One etcd member shared by a test class, started only where etcd is present (tests that need it fail otherwise).</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    private EtcdServer? _server;

    /// <summary>The running member.</summary>
    public EtcdServer Server => _server ?? throw new InvalidOperationException($"Prerequisite missing: {EtcdPrerequisite.Unmet()}.");

    public async Task InitializeAsync()
    {
        if (EtcdPrerequisite.Unmet() is null)
            _server = await EtcdServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
