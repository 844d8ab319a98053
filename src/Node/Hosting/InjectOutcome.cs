namespace PdCluster.Node.Hosting;

/// <summary>What became of an injected device event.</summary>
internal enum InjectOutcome
{
    /// <summary>The adapter raised it.</summary>
    Injected,
    /// <summary>No adapter of that name is configured.</summary>
    NoSuchAdapter,
    /// <summary>The adapter's provider takes no injected events.</summary>
    NotInjectable,
}
