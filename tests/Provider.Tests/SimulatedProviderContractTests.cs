using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Tests.Provider.Contract;

namespace PdCluster.Tests.Provider;

/// <summary>The PDPI contract on the simulated ConnectX-3 Pro.</summary>
public sealed class SimulatedProviderContractTests : ProviderContract
{
    protected override IProviderHarness CreateHarness() => new SoftNicHarness();

    /// <summary>A SoftNic under test wired to a peer SoftNic that offers frames and counts what comes back.</summary>
    internal sealed class SoftNicHarness : IProviderHarness
    {
        private readonly SoftNic _dut = new(AdapterInfo.ConnectX3Pro("dut", 0x02_00_00_00_00_02));
        private readonly SoftNic _peer = new(AdapterInfo.ConnectX3Pro("peer", 0x02_00_00_00_00_01));
        private readonly BufferPool _peerPool = new(1024);
        private readonly SoftNicQueue _peerTx;
        private long _transmitted;

        public SoftNicHarness()
        {
            Wire.Connect(_peer, _dut);
            _peerTx = _peer.AllocateQueue(new QueueOptions(QueueKind.Transmit, 1024, _peerPool));
            _peer.OsPath = (_, _) => _transmitted++;
            Provider = new SimulatedProvider(_dut);
        }

        public IPdProvider Provider { get; }

        public BufferPool Pool { get; } = new(2048, checkedMode: true);

        public long OsPathPackets => _dut.OsPathPackets;

        public long TransmittedSeen => _transmitted;

        public TimeSpan Settle => TimeSpan.Zero;

        public void Offer(byte[] frame, int count = 1)
        {
            var handles = new int[count];
            var n = _peerPool.TryAllocate(handles);
            foreach (var h in handles.AsSpan(0, n))
                _peerPool.SetPacket(h, frame);
            var done = new int[count];
            var r = _peerTx.PostAndDrain(handles.AsSpan(0, n), done);
            _peerPool.Return(done.AsSpan(0, r.Drained));
        }

        public void SurpriseRemove() => _dut.Inject(DeviceEvent.SurpriseRemoval);

        public void Dispose()
        {
            Provider.Dispose();
            Pool.Dispose();
            _peerPool.Dispose();
        }
    }
}
