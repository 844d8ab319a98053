namespace PdCluster.Actors.Kernel;

/// <summary>Applies a directive to every child: one fails, all restart (or stop) together.</summary>
public sealed class AllForOneStrategy(int maxRetries, TimeSpan window, Func<Exception, Directive> decider)
    : SupervisorStrategy(maxRetries, window, decider)
{
    /// <inheritdoc/>
    public override bool AppliesToAllChildren => true;
}
