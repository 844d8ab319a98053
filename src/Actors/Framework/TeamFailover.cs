using PdCluster.Actors.Kernel;
using PdCluster.Queues.Packets;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Failover within a node (DESIGN.md, "Failover"): keeps the work of a team's members on the members that serve. A
/// member is down from its surprise removal (the <see cref="AdapterRemoved"/> the supervisor publishes at once), or
/// once it is removed, quiesced, refused or given up on; up again once it runs. Each member that is down is covered by
/// the first member, in the team's order, that is up: a <see cref="TeamChanged"/> tells the <see cref="FilterAgent"/>
/// to give that survivor the member's filters (its node-file and cluster filters, queues mapped onto the survivor's),
/// and the survivor announces the member's addresses (<see cref="Queues.Packets.AddressAnnouncement"/>) out of its PD transmit queue, so the peers
/// send it that share of the traffic. A member that runs again announces its own addresses and gets its work back; a
/// member's first run announces them too, so peers learn where they are before any failover.
/// Nothing here touches a queue's thread but the announcement, which a queue sends between two bursts.
/// </summary>
public sealed class TeamFailover(TeamSettings settings) : ActorBase
{
    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, bool> _up = settings.Members.ToDictionary(m => m.Adapter, _ => true);
    private readonly Dictionary<string, string> _holders = settings.Members.ToDictionary(m => m.Adapter, m => m.Adapter);
    // Members that have told the peers where their own addresses are: until a member's first run nothing has.
    private readonly HashSet<string> _arrived = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string> _coveredBy = new Dictionary<string, string>();
    private long _failovers;
    private long _failbacks;
    private long _announced;

    /// <summary>An announcement of <paramref name="Of"/>'s addresses out of <paramref name="From"/>, <paramref name="Remaining"/> times more.</summary>
    private sealed record Announce(TeamMember From, TeamMember Of, int Remaining);

    /// <summary>Creates the team's actor as <c>team-&lt;name&gt;</c> of <paramref name="system"/>.</summary>
    public static IActorRef Start(ActorSystem system, TeamSettings settings) =>
        system.ActorOf(Props.Create(() => new TeamFailover(settings)), $"team-{settings.Team}");

    /// <inheritdoc/>
    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(AdapterRemoved));
        Context.System.EventStream.Subscribe(Self, typeof(AdapterStateChanged));
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case AdapterRemoved removed when _up.ContainsKey(removed.Adapter):
                SetUp(removed.Adapter, false);
                break;
            case AdapterStateChanged changed when _up.ContainsKey(changed.Adapter):
                if (changed.State == AdapterState.Running)
                {
                    SetUp(changed.Adapter, true);
                    if (_arrived.Add(changed.Adapter))
                        Send(new Announce(Member(changed.Adapter), Member(changed.Adapter), settings.Announcements));
                }
                else if (changed.State is AdapterState.Removed or AdapterState.Quiesced or AdapterState.Refused or AdapterState.Failed)
                    SetUp(changed.Adapter, false);
                break;
            case Announce announce:
                Send(announce);
                break;
            case FramesTransmitted transmitted:
                _announced += transmitted.Sent;
                PublishStatus();
                break;
            case GetTeamStatus:
                Sender.Tell(settings.Telemetry.Status);
                break;
            case AdapterRemoved or AdapterStateChanged or StatusFailure:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void SetUp(string adapter, bool up)
    {
        if (_up[adapter] == up)
            return;
        _up[adapter] = up;
        var survivor = settings.Members.FirstOrDefault(m => _up[m.Adapter]);
        var cover = settings.Members.Where(m => !_up[m.Adapter] && survivor is not null).ToDictionary(m => m.Adapter, _ => survivor!.Adapter);
        var previous = _coveredBy;
        _coveredBy = cover;
        foreach (var member in settings.Members)
        {
            // Who should answer for the member's addresses now, against who last said so to the peers.
            var holder = _up[member.Adapter] ? member.Adapter : cover.GetValueOrDefault(member.Adapter);
            if (holder is null || holder == _holders[member.Adapter])
                continue;
            _holders[member.Adapter] = holder;
            if (holder == member.Adapter)
            {
                _failbacks++;
                _arrived.Add(member.Adapter);
            }
            else
                _failovers++;
            Send(new Announce(Member(holder), member, settings.Announcements));
        }
        if (cover.Count != previous.Count || cover.Any(c => previous.GetValueOrDefault(c.Key) != c.Value))
            Context.System.EventStream.Publish(new TeamChanged(settings.Team, cover));
        PublishStatus();
    }

    /// <summary>Sends the address announcements (gratuitous ARP, or unsolicited neighbor advertisement for IPv6) of one announcement and schedules its repeat (a later cover of the member replaces it).</summary>
    private void Send(Announce announce)
    {
        if (announce.Of.Addresses.Count == 0)
            return;
        var from = announce.From.CurrentMac();
        var frames = announce.Of.Addresses.Select(a => AddressAnnouncement.Build(from, a)).ToList();
        settings.Adapters.Tell(new ToAdapter(announce.From.Adapter, new TransmitFrames(frames)));
        if (announce.Remaining > 1)
            Context.Timers.StartSingleTimer($"announce:{announce.Of.Adapter}", announce with { Remaining = announce.Remaining - 1 }, AnnounceInterval);
        else
            Context.Timers.Cancel($"announce:{announce.Of.Adapter}");
    }

    private TeamMember Member(string adapter) => settings.Members.First(m => m.Adapter == adapter);

    private void PublishStatus() => settings.Telemetry.Publish(new TeamStatus(settings.Team,
        [.. settings.Members.Select(m => new TeamMemberStatus(m.Adapter, _up[m.Adapter], _coveredBy.GetValueOrDefault(m.Adapter)))],
        _failovers, _failbacks, _announced));
}
