using PdCluster.Nic.Adapters;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Provider.Linux;

/// <summary>
/// Describes a Linux interface as an <see cref="AdapterInfo"/>: link type, MAC, speed, queues and PCI id from
/// <c>/sys/class/net</c>, driver, version, firmware and bus address from the ethtool driver-info ioctl.
/// </summary>
/// <remarks>
/// sysfs shows the interfaces of the network namespace that mounted it, so an interface in another namespace is read
/// on a short-lived thread that enters the namespace, takes a private mount namespace and mounts a sysfs of its own
/// there (what <c>ip netns exec</c> does), leaving the process's mounts alone; so is an interface of the caller's own
/// namespace when the caller entered it without remounting /sys.
/// </remarks>
public static class LinuxAdapterDiscovery
{
    private const string SysClassNet = "/sys/class/net";

    /// <summary>
    /// Describes <paramref name="interfaceName"/> in network namespace <paramref name="networkNamespace"/> (a name
    /// under /run/netns; null: the process's own). Throws <see cref="LinuxDiscoveryException"/> naming the interface
    /// and what went wrong: a bad name, no such interface or namespace, a kernel refusal.
    /// </summary>
    public static AdapterInfo Discover(string interfaceName, string? networkNamespace = null)
    {
        if (interfaceName.Length is 0 or > 15 || interfaceName is "." or ".." || interfaceName.Any(c => c == '/' || c == ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new LinuxDiscoveryException($"'{interfaceName}' is not a Linux interface name (1 to 15 characters, no '/', ':' or spaces)");
        if (networkNamespace is null)
        {
            // The calling thread's namespace, which a thread started to read it can enter by this path.
            var own = $"/proc/self/task/{Posix.gettid()}/ns/net";
            return SysfsIsOurs(own) ? Describe(interfaceName, "") : InNamespace(own, () => Describe(interfaceName, ""));
        }
        if (networkNamespace.Length == 0 || networkNamespace is "." or ".." || networkNamespace.Contains('/'))
            throw new LinuxDiscoveryException($"'{networkNamespace}' is not a network namespace name (a file name under /run/netns)");
        return InNamespace($"/run/netns/{networkNamespace}", () => Describe(interfaceName, $" in network namespace {networkNamespace}"));
    }

    /// <summary>
    /// Whether /sys shows the network namespace at <paramref name="own"/>: a process moved into another one by
    /// <c>nsenter --net</c> (which keeps bpffs visible, unlike <c>ip netns exec</c>), or a thread that entered one,
    /// still sees the sysfs of the namespace that mounted it, taken here to be init's.
    /// </summary>
    private static bool SysfsIsOurs(string own) =>
        new FileInfo(own).LinkTarget is not { } ours || ours == new FileInfo("/proc/1/ns/net").LinkTarget;

    private static AdapterInfo Describe(string interfaceName, string where)
    {
        var sysfs = SysfsNetInterface.Read(SysClassNet, interfaceName)
            ?? throw new LinuxDiscoveryException($"there is no interface {interfaceName}{where}");
        return Describe(interfaceName, sysfs, EthtoolDriverInfo.Query(interfaceName));
    }

    /// <summary>The description of <paramref name="interfaceName"/> from what sysfs and ethtool said (ethtool null: the driver gave no driver info).</summary>
    public static AdapterInfo Describe(string interfaceName, SysfsNetInterface sysfs, EthtoolDriverInfo? ethtool)
    {
        var driver = ethtool ?? new EthtoolDriverInfo(sysfs.Driver, "", "", "");
        var model = driver.Driver.Length > 0 ? driver.Driver : "Linux interface";
        return new AdapterInfo(interfaceName, sysfs.Mac, sysfs.LinkType, sysfs.Pci, model, driver.Driver, driver.Version, driver.FirmwareVersion,
            sysfs.ReceiveQueues, sysfs.TransmitQueues, MaxQueueSize: 0, sysfs.SpeedMbps)
        {
            BusAddress = driver.BusInfo.Length > 0 ? driver.BusInfo : sysfs.PciFunction,
        };
    }

    /// <summary>Runs <paramref name="call"/> on a new thread inside the network namespace at <paramref name="path"/>, with a sysfs of that namespace at /sys.</summary>
    private static T InNamespace<T>(string path, Func<T> call)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                EnterWithOwnSysfs(path);
                result = call();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true, Name = "netns discovery" };
        thread.Start();
        thread.Join();
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return result;
    }

    /// <summary>Moves the calling thread into the network namespace at <paramref name="path"/> and a private mount namespace with that network namespace's sysfs at /sys; the thread must end afterwards.</summary>
    private static void EnterWithOwnSysfs(string path)
    {
        var fd = Posix.open(path, 0x80000);
        if (fd < 0)
            throw new LinuxDiscoveryException($"cannot open network namespace {path}: {Posix.LastError()}");
        try
        {
            if (Posix.setns(fd, Posix.CloneNewNet) != 0)
                throw new LinuxDiscoveryException($"cannot enter network namespace {path}: {Posix.LastError()}");
        }
        finally
        {
            Posix.close(fd);
        }
        if (Posix.unshare(Posix.CloneNewNs) != 0
            || Posix.mount("none", "/", "none", Posix.MsRec | Posix.MsSlave, 0) != 0)
            throw new LinuxDiscoveryException($"cannot take a private mount namespace to read the sysfs of {path}: {Posix.LastError()}");
        Posix.umount2("/sys", Posix.MntDetach);
        if (Posix.mount("sysfs", "/sys", "sysfs", 0, 0) != 0)
            throw new LinuxDiscoveryException($"cannot mount the sysfs of {path}: {Posix.LastError()}");
    }
}
