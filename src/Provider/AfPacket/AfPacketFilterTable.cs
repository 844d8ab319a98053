using PdCluster.Queues.Classification;

namespace PdCluster.Provider.AfPacket;

/// <summary>The receive filters as every queue classifies its copies: compiled in rank order, and the filter of each rule.</summary>
internal sealed record AfPacketFilterTable(Classifier Classifier, PdReceiveFilter[] Filters)
{
    public static AfPacketFilterTable Empty { get; } = new(Classifier.Empty, []);
}
