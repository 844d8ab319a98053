using PdCluster.Actors.Kernel;

namespace PdCluster.Node.Hosting;

/// <summary>
/// Writes every <see cref="ActorError"/> of the node to standard error as one line, so an operator sees it as it happens,
/// and keeps the latest in <see cref="RecentErrors"/>; each <see cref="ActorNotice"/> is a <c>pd: note:</c> line.
/// </summary>
internal sealed class ErrorLog(TextWriter output, RecentErrors recent) : ActorBase
{
    /// <summary>Starts the log on <paramref name="system"/>'s event stream.</summary>
    public static IActorRef Start(ActorSystem system, TextWriter output, RecentErrors recent)
    {
        var log = system.ActorOf(Props.Create(() => new ErrorLog(output, recent)), "error-log");
        system.EventStream.Subscribe(log, typeof(ActorError));
        system.EventStream.Subscribe(log, typeof(ActorNotice));
        return log;
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        if (message is ActorError error)
        {
            output.WriteLine($"pd: error: {error.Message}");
            recent.Add(error.Message);
        }
        else if (message is ActorNotice notice)
            output.WriteLine($"pd: note: {notice.Message}");
    }
}
