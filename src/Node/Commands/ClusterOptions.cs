using PdCluster.Node.ClusterAccess;

namespace PdCluster.Node.Commands;

/// <summary>
/// How the cluster commands reach the store: today through a node's admin endpoint (<c>--endpoint</c>), since the
/// embedded store lives inside the node. A store reachable on its own (etcd) gets its option here and a
/// <see cref="StoreCatalog"/> over it; the commands only see <see cref="IClusterCatalog"/>.
/// </summary>
internal static class ClusterOptions
{
    /// <summary>The catalog the parsed options name.</summary>
    public static IClusterCatalog Open(Uri endpoint) => new AdminCatalog(endpoint);

    /// <summary>Runs a command against the store: an unreachable store is exit code 1, a refused request exit code 2.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (ClusterUnavailableException e)
        {
            return CommonOptions.Failure(e.Message);
        }
        catch (ClusterRefusedException e)
        {
            return CommonOptions.Fail(e.Message);
        }
    }
}
