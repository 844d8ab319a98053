namespace PdCluster.Actors.Kernel;

/// <summary>Applies a directive to the failed child only.</summary>
public sealed class OneForOneStrategy(int maxRetries, TimeSpan window, Func<Exception, Directive> decider)
    : SupervisorStrategy(maxRetries, window, decider)
{
    /// <summary>The default decider with a restart limit.</summary>
    public OneForOneStrategy(int maxRetries, TimeSpan window)
        : this(maxRetries, window, DefaultDecider)
    {
    }

    /// <inheritdoc/>
    public override bool AppliesToAllChildren => false;
}
