using PdCluster.Actors.Kernel;
using PdCluster.Node.Hosting;

namespace PdCluster.Tests.Node;

/// <summary>The node's log: each error a <c>pd: error:</c> line kept among the recent errors, each notice a <c>pd: note:</c> line that is not.</summary>
public sealed class ErrorLogTests
{
    [Fact]
    public async Task Errors_and_notices_are_one_line_each()
    {
        var system = ActorSystem.Create("error-log-test");
        var output = new StringWriter();
        var recent = new RecentErrors();
        try
        {
            ErrorLog.Start(system, TextWriter.Synchronized(output), recent);
            system.EventStream.Publish(new ActorNotice("switch sw: its external port reopened on pd1; the VMs' traffic flows again."));
            system.EventStream.Publish(new ActorError(Nobody.Instance, "switch sw: its adapter pd1 was surprise-removed.", new InvalidOperationException()));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (recent.Lines.Count == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the error never reached the log");
                await Task.Delay(20);
            }
            Assert.Equal(["pd: note: switch sw: its external port reopened on pd1; the VMs' traffic flows again.", "pd: error: switch sw: its adapter pd1 was surprise-removed."],
                output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(["switch sw: its adapter pd1 was surprise-removed."], recent.Lines);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
