using PdCluster.Nic.Adapters;
using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Tests.Provider.Contract;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>The PDPI contract on AF_XDP over a veth pair between two namespaces the test creates.</summary>
[NeedsVethHost]
public sealed class AfXdpProviderContractTests : ProviderContract
{
    protected override IProviderHarness CreateHarness() => new VethHarness();

    /// <summary>An AfXdpProvider on the device end of a fresh veth pair; the peer end offers frames through AF_PACKET.</summary>
    internal sealed class VethHarness : IProviderHarness
    {
        private readonly VethPair _veth;
        private readonly PacketSender _sender;

        public VethHarness(BufferPool? pool = null)
        {
            Pool = pool ?? new BufferPool(1024, checkedMode: true);
            HostPrerequisite.Require();
            _veth = new VethPair();
            try
            {
                _sender = new PacketSender(_veth.Peer, _veth.PeerInterface);
                var adapter = Adapter(_veth.DeviceInterface);
                Provider = new AfXdpProvider(adapter, new AfXdpAdapterOptions(_veth.DeviceInterface), _veth.Device);
            }
            catch
            {
                _veth.Dispose();
                throw;
            }
        }

        public IPdProvider Provider { get; }

        /// <summary>1,024 buffers by default: a 2 MiB UMEM, well inside the 8 MiB RLIMIT_MEMLOCK.</summary>
        public BufferPool Pool { get; }

        /// <summary>What the device's kernel stack took in: IPv4 datagrams on the veth, whether passed by XDP or reinjected through the OS path.</summary>
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

        internal static AdapterInfo Adapter(string name) => new(
            name, VethPair.DeviceMac, LinkType.Ethernet, default, "veth", "veth", "1.0", "", 1, 1, 4096, 10_000);
    }
}

/// <summary>The PDPI contract on AF_XDP with the UMEM in aligned chunk mode: a pool whose buffers are 2,048 bytes apart.</summary>
[NeedsVethHost]
public sealed class AfXdpAlignedUmemContractTests : ProviderContract
{
    protected override IProviderHarness CreateHarness() => new AfXdpProviderContractTests.VethHarness(new BufferPool(1024, checkedMode: true, alignedStride: true));
}
