using PdCluster.Actors.Kernel;
using PdCluster.Node.Commands;

namespace PdCluster.Node.Hosting;

/// <summary>
/// Writes every <see cref="ActorError"/> of the node to standard error as one line, so an operator sees it as it
/// happens, and keeps the latest in <see cref="RecentErrors"/>; each <see cref="ActorNotice"/> is a <c>pd: note:</c>
/// line. A message quotes what came from files and the store, so each line is written as
/// <see cref="TerminalText.Message"/> makes it: one line, nothing a terminal acts on.
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
            output.WriteLine(TerminalText.Message($"pd: error: {error.Message}"));
            recent.Add(error.Message);
        }
        else if (message is ActorNotice notice)
            output.WriteLine(TerminalText.Message($"pd: note: {notice.Message}"));
    }
}
