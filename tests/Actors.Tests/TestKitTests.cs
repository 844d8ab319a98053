using PdCluster.Actors.Kernel;
using PdCluster.TestKit;
using Xunit.Sdk;

namespace PdCluster.Tests.Actors;

/// <summary>The TestKit's own promises: senders, replies, deadlines.</summary>
public sealed class TestKitTests : TestKitBase
{
    private sealed class Echo : ActorBase
    {
        protected override void OnReceive(object message) => Sender.Tell(message);
    }

    [Fact]
    public void Send_and_expect_from_track_the_sender_and_reply_goes_back_to_it()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        var probe = CreateTestProbe();
        probe.Send(echo, "ping");
        Assert.Equal("ping", probe.ExpectMsgFrom<string>(echo));
        Assert.Equal(echo, probe.LastSender);

        probe.Send(echo, "again");
        Assert.Throws<XunitException>(() => probe.ExpectMsgFrom<string>(TestActor));

        var other = CreateTestProbe();
        other.Send(probe.Ref, "question");
        probe.ExpectMsg("question");
        probe.Reply("answer");
        Assert.Equal("answer", other.ExpectMsgFrom<string>(probe.Ref));
    }

    [Fact]
    public void Within_bounds_the_block_and_the_expectations_inside()
    {
        var probe = CreateTestProbe();
        var started = DateTime.UtcNow;
        Assert.Throws<XunitException>(() => probe.Within(TimeSpan.FromMilliseconds(200), () => probe.ExpectMsg<string>(timeout: TimeSpan.FromSeconds(10))));
        Assert.True(DateTime.UtcNow - started < TestTime.Dilated(TimeSpan.FromSeconds(5)), "the enclosing Within cut the 10 s expectation short");

        probe.Ref.Tell("now");
        probe.Within(TimeSpan.FromSeconds(2), () => probe.ExpectMsg("now"));
        Assert.Throws<XunitException>(() => probe.Within(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), () => 0));
    }
}
