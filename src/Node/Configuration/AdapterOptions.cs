using PdCluster.Actors.Framework;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Input;
using PdCluster.Queues.Packets;

namespace PdCluster.Node.Configuration;

/// <summary>Turns an adapter's configuration into the options its provider factory takes.</summary>
internal static class AdapterOptions
{
    /// <summary>
    /// Binds adapter <paramref name="index"/> of <paramref name="config"/> through its provider; what the provider
    /// cannot bind (no such interface, no such namespace) is a <see cref="ConfigException"/> naming the file and key.
    /// </summary>
    public static PdAdapter Bind(LoadedConfig config, int index, PdProviderRegistry providers)
    {
        var adapter = Named(config, index, a => providers.Get(a.Provider).Bind(For(a, config.Requirements)));
        var (wanted, info) = (config.Config.Adapters[index], adapter.Info);
        if (wanted.Queues > Math.Min(info.MaxReceiveQueues, info.MaxTransmitQueues))
            throw new ConfigException(InputException.Format(config.Source, $"adapters[{index}].queues",
                $"{wanted.Name} has at most {Math.Min(info.MaxReceiveQueues, info.MaxTransmitQueues)} queue pairs (got {wanted.Queues})."));
        if (wanted.QueueSize > info.MaxQueueSize)
            throw new ConfigException(InputException.Format(config.Source, $"adapters[{index}].queueSize",
                $"{wanted.Name} takes at most {info.MaxQueueSize} slots per queue (got {wanted.QueueSize})."));
        if (wanted.ReceiveQueueSizeInForce() > info.MaxQueueSize)
            throw new ConfigException(InputException.Format(config.Source, $"adapters[{index}].receiveQueueSize",
                $"{wanted.Name} takes at most {info.MaxQueueSize} slots per queue (got {wanted.ReceiveQueueSizeInForce()})."));
        if ((info.ChosenProvider ?? wanted.Provider) == "afxdp")
        {
            try
            {
                AfXdpProviderFactory.EnsureUmemFits((ulong)wanted.Buffers * (ulong)BufferPool.StrideFor(BufferPool.DefaultBufferSize));
            }
            catch (PdException e)
            {
                adapter.Dispose();
                throw new ConfigException(InputException.Format(config.Source, $"adapters[{index}].buffers",
                    $"{e.Message} The rings need at least queues × (receiveQueueSize + queueSize) = {QueueActor.FewestBuffers(wanted.Queues, wanted.ReceiveQueueSizeInForce(), wanted.QueueSize)} buffers of {BufferPool.StrideFor(BufferPool.DefaultBufferSize)} bytes."));
            }
        }
        return adapter;
    }

    /// <summary>What adapter <paramref name="index"/> of <paramref name="config"/> reports about itself, refused as <see cref="Bind"/> refuses.</summary>
    public static AdapterInfo Describe(LoadedConfig config, int index) =>
        Named(config, index, a => PdProviderRegistry.Default.Get(a.Provider).Describe(For(a, config.Requirements)));

    private static T Named<T>(LoadedConfig config, int index, Func<AdapterConfig, T> provide)
    {
        try
        {
            return provide(config.Config.Adapters[index]);
        }
        catch (PdAdapterOptionsException e)
        {
            throw new ConfigException(InputException.Format(config.Source, $"adapters[{index}]", e.Message));
        }
    }

    /// <summary>The provider options of <paramref name="adapter"/>.</summary>
    public static PdAdapterOptions For(AdapterConfig adapter, PdRequirements requirements) =>
        new(adapter.Name, requirements, adapter.Provider == "simulated" ? Simulated(adapter) : null,
            adapter.Interface is { } device ? new AfXdpAdapterOptions(device, adapter.Namespace) : null,
            adapter.Interface is { } linux ? new AfPacketAdapterOptions(linux, adapter.Namespace) : null);

    /// <summary>The simulated port <paramref name="adapter"/> describes; throws <see cref="FormatException"/> for a bad MAC or PCI id.</summary>
    public static SimulatedAdapterOptions Simulated(AdapterConfig adapter)
    {
        var s = adapter.Simulated ?? new SimulatedConfig();
        var mac = AdapterInfo.TryParseMac(s.Mac, out var parsed) ? parsed : throw new FormatException($"'{s.Mac}' is not a MAC address.");
        var info = AdapterInfo.ConnectX3Pro(adapter.Name, mac) with
        {
            LinkType = s.LinkType,
            Pci = PciId.Parse(s.Pci),
            Model = s.Model,
            FirmwareVersion = s.Firmware,
            DriverVersion = s.Driver,
        };
        var generator = s.Generator;
        var flows = (generator?.Flows ?? []).Select(f => new GeneratorFlow(f.Source, f.Destination, Protocol(f), f.SourcePort, f.DestinationPort, f.FrameSize, f.Vlan,
            EtherType: f.Protocol == "arp" ? EtherType.Arp : EtherType.Ipv4,
            DestinationMacOverride: f.DestinationMac is { } mac && AdapterInfo.TryParseMac(mac, out var destination) ? destination : null)).ToList();
        return new SimulatedAdapterOptions(info, flows, generator?.Rate ?? 0);
    }

    private static byte Protocol(FlowConfig flow) => flow.Protocol switch
    {
        "tcp" => IpProtocol.Tcp,
        "udp" => IpProtocol.Udp,
        "arp" => 0,
        _ => flow.Source.Contains(':') ? IpProtocol.IcmpV6 : IpProtocol.Icmp,
    };
}
