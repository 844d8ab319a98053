using PdCluster.Queues.Classification;

namespace PdCluster.DataPath;

/// <summary>
/// Applies the software filter table's actions to each packet: count, drop, hand back to the OS path, or steer to
/// another queue's pipeline through <paramref name="steering"/> (without a lane, or when the target's ring is full, a
/// steered packet is dropped).
/// A new table is published with one reference swap and taken up at the next burst, so the hot path takes no lock.
/// </summary>
public sealed class FilterStage(FilterTable table, SteeringLane? steering = null) : IPacketStage
{
    private FilterTable _table = table;

    /// <summary>The table in force.</summary>
    public FilterTable Table => Volatile.Read(ref _table);

    /// <summary>Packets no filter matched.</summary>
    public long Misses { get; private set; }

    /// <summary>Replaces the table; the queue uses it from its next burst.</summary>
    public void Publish(FilterTable table) => Volatile.Write(ref _table, table);

    /// <inheritdoc/>
    public void Process(PacketBurst burst)
    {
        var table = Volatile.Read(ref _table);
        if (table.Set.Count == 0)
            return;
        burst.EnsureParsed();
        var verdicts = burst.Verdicts;
        var info = burst.Info;
        var classifier = table.Set.Classifier;
        for (var i = 0; i < verdicts.Length; i++)
        {
            if (verdicts[i] != Verdict.Forward)
                continue;
            var rule = classifier.Classify(in info[i].Key);
            if (rule < 0)
            {
                Misses++;
                continue;
            }
            switch (table.Hit(rule, out var target))
            {
                case FilterAction.Drop:
                    verdicts[i] = Verdict.Drop;
                    break;
                case FilterAction.Os:
                    verdicts[i] = Verdict.ToOs;
                    break;
                case FilterAction.Steer when steering is null:
                    verdicts[i] = Verdict.Drop;
                    break;
                case FilterAction.Steer when target != steering.Queue:
                    verdicts[i] = steering.TrySend(target, burst.Handles[i]) ? Verdict.Consume : Verdict.Drop;
                    break;
            }
        }
    }
}
