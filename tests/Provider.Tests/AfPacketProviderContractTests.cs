using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Queues.Buffers;
using PdCluster.Tests.Provider.Contract;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>The PDPI contract on AF_PACKET over a veth pair between two namespaces the test creates.</summary>
[NeedsVethHost]
public sealed class AfPacketProviderContractTests : ProviderContract
{
    protected override IProviderHarness CreateHarness() => new VethHarness();

    /// <summary>An AfPacketProvider on the device end of a fresh veth pair; the peer end offers frames through AF_PACKET.</summary>
    internal sealed class VethHarness : IProviderHarness
    {
        private readonly VethPair _veth;
        private readonly PacketSender _sender;

        public VethHarness()
        {
            HostPrerequisite.Require();
            _veth = new VethPair();
            try
            {
                _sender = new PacketSender(_veth.Peer, _veth.PeerInterface);
                Provider = new AfPacketProvider(AfXdpProviderContractTests.VethHarness.Adapter(_veth.DeviceInterface), new AfPacketAdapterOptions(_veth.DeviceInterface), _veth.Device);
            }
            catch
            {
                _veth.Dispose();
                throw;
            }
        }

        public IPdProvider Provider { get; }

        public BufferPool Pool { get; } = new(1024, checkedMode: true);

        /// <summary>What the device's kernel stack took in: its IPv4 datagrams (AF_PACKET leaves every frame to it).</summary>
        public long OsPathPackets => VethPair.Snmp(_veth.Device, "Ip", "InReceives");

        public long TransmittedSeen => VethPair.ReceivedPackets(_veth.Peer, _veth.PeerInterface);

        public TimeSpan Settle => TimeSpan.FromSeconds(2);

        public void Offer(byte[] frame, int count = 1)
        {
            for (var i = 0; i < count; i++)
                _sender.Send(frame);
        }

        public void SurpriseRemove() => _veth.DeleteDevice();

        public void Dispose()
        {
            try
            {
                Provider.Dispose();
            }
            finally
            {
                _sender.Dispose();
                _veth.Dispose();
                Pool.Dispose();
            }
        }
    }
}
