namespace PdCluster.Nic.Adapters;

/// <summary>An adapter that takes device events from an operator or a test (a simulated one; low power on a real one).</summary>
public interface IDeviceEventInjector
{
    /// <summary>Raises <paramref name="deviceEvent"/> as if the device had.</summary>
    void Inject(DeviceEvent deviceEvent);
}
