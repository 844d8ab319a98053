using PdCluster.Nic.Adapters;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;

namespace PdCluster.Tests.Node;

/// <summary>Provider <c>simulated</c> with a gate: once closed, the next receive-filter batch that sets filters waits in the provider until the test opens it.</summary>
internal sealed class GatedProviderFactory : IPdProviderFactory, IDisposable
{
    private readonly SimulatedProviderFactory _inner = new();
    private readonly ManualResetEventSlim _open = new(true);
    private readonly ManualResetEventSlim _held = new(false);

    public string Name => _inner.Name;

    public AdapterInfo Describe(PdAdapterOptions options) => _inner.Describe(options);

    public PdAdapter Bind(PdAdapterOptions options)
    {
        var bound = _inner.Bind(options);
        return new PdAdapter(bound.Info, () => new GatedProvider(bound.OpenProvider(), this), bound.Events, bound.Injector, bound.Traffic, bound);
    }

    /// <summary>Holds the next batch that sets filters.</summary>
    public void Close()
    {
        _held.Reset();
        _open.Reset();
    }

    /// <summary>Whether a batch reached the closed gate within <paramref name="timeout"/>.</summary>
    public bool WaitUntilHeld(TimeSpan timeout) => _held.Wait(timeout);

    /// <summary>Lets the held batch, and every later one, through.</summary>
    public void Open() => _open.Set();

    /// <summary>Called by a provider before a batch that sets filters: waits while the gate is closed.</summary>
    public void Pass()
    {
        if (_open.IsSet)
            return;
        _held.Set();
        _open.Wait();
    }

    public void Dispose()
    {
        _open.Dispose();
        _held.Dispose();
    }
}
