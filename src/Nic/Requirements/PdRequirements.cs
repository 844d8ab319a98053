using System.Text.Json;
using System.Text.Json.Serialization;
using PdCluster.Nic.Adapters;
using PdCluster.Queues.Input;

namespace PdCluster.Nic.Requirements;

/// <summary>
/// Which adapters may run PacketDirect, read from <c>cluster-config/pd-requirements.json</c>: the link types PD runs
/// on, and per device (by PCI id and/or Linux driver name) the minimum firmware and driver versions (ConnectX-3 Pro:
/// firmware 2.36.5150, WinOF 5.25) or that it is a development adapter.
/// </summary>
public sealed class PdRequirements
{
    /// <summary>Link types PD supports.</summary>
    public required IReadOnlyList<LinkType> LinkTypes { get; init; }

    /// <summary>Per-device version floors.</summary>
    public required IReadOnlyList<DeviceRequirement> Devices { get; init; }

    /// <summary>Whether adapters whose PCI id is not listed are accepted.</summary>
    public bool AllowUnlistedDevices { get; init; }

    /// <summary>The requirements shipped with the build (the same file as in cluster-config/).</summary>
    public static PdRequirements Default { get; } = LoadEmbedded();

    /// <summary>Reads requirements from a file; errors (<see cref="InvalidDataException"/>) name the file, the key and the problem.</summary>
    public static PdRequirements Load(string path)
    {
        try
        {
            return Read(InputFile.ReadAllText(path), path);
        }
        catch (InputException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    /// <summary>Reads requirements from JSON; <paramref name="source"/> names the input in errors.</summary>
    public static PdRequirements Read(Stream json, string source)
    {
        using var reader = new StreamReader(json);
        return Read(reader.ReadToEnd(), source);
    }

    /// <summary>Reads requirements from JSON text; errors (<see cref="InvalidDataException"/>) name <paramref name="source"/>, the key and the problem.</summary>
    public static PdRequirements Read(string json, string source)
    {
        RequirementsDocument doc;
        try
        {
            doc = JsonInput.Read(json, RequirementsJson.Default.RequirementsDocument, source);
        }
        catch (InputException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        if (doc.LinkTypes is null || doc.LinkTypes.Count == 0)
            throw Fail(source, "linkTypes", $"must list at least one link type ({string.Join(", ", JsonEnumConverter<LinkType>.Names)}).");
        var devices = new List<DeviceRequirement>();
        var devicesRead = doc.Devices ?? [];
        for (var i = 0; i < devicesRead.Count; i++)
        {
            var d = devicesRead[i];
            var key = $"devices[{i}]";
            if (d.Pci is null && d.Driver is null)
                throw Fail(source, $"{key}.pci", "is required unless \"driver\" is given: the device's vendor:device id, like 15b3:1007 (and/or \"driver\", the Linux driver's name, like mlx4_en).");
            PciId? pci = null;
            if (d.Pci is not null)
            {
                try
                {
                    pci = PciId.Parse(d.Pci);
                }
                catch (FormatException e)
                {
                    throw Fail(source, $"{key}.pci", e.Message);
                }
            }
            if (d.Driver is not null && (d.Driver.Length == 0 || d.Driver.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/')))
                throw Fail(source, $"{key}.driver", $"'{d.Driver}' is not a Linux driver name (as ethtool -i prints it, like mlx4_en or veth).");
            if (devices.FindIndex(r => r.Pci == pci && r.Driver == d.Driver) is var twice and >= 0)
                throw Fail(source, d.Pci is null ? $"{key}.driver" : $"{key}.pci", $"{Identity(pci, d.Driver)} is already listed at devices[{twice}].");
            if (d.Name is not null && string.IsNullOrWhiteSpace(d.Name))
                throw Fail(source, $"{key}.name", "must name the device (leave the key out to use its PCI id or driver).");
            devices.Add(new DeviceRequirement(pci, d.Driver, d.Name ?? d.Pci ?? d.Driver!, MinVersion(d.MinFirmware, source, $"{key}.minFirmware"),
                MinVersion(d.MinDriver, source, $"{key}.minDriver"), d.Development));
        }
        return new PdRequirements { LinkTypes = doc.LinkTypes, Devices = devices, AllowUnlistedDevices = doc.AllowUnlistedDevices };
    }

    private static string Identity(PciId? pci, string? driver) => (pci, driver) switch
    {
        ({ } id, { } name) => $"{id} with driver {name}",
        ({ } id, null) => id.ToString(),
        _ => $"driver {driver}",
    };

    private static Version MinVersion(string? text, string source, string key) =>
        text is null ? new Version(0, 0)
        : Version.TryParse(text, out var version) ? version
        : throw Fail(source, key, $"'{text}' is not a version (numbers separated by dots, like 2.36.5150).");

    private static InvalidDataException Fail(string source, string key, string problem) => new(InputException.Format(source, key, problem));

    /// <summary>
    /// The entry of <see cref="Devices"/> that governs <paramref name="adapter"/>: of those whose PCI id and driver
    /// (each when the entry gives it) are the adapter's, the one giving both, else the first listed; null when none.
    /// </summary>
    public DeviceRequirement? Match(AdapterInfo adapter) =>
        Devices.Where(d => (d.Pci is null || d.Pci == adapter.Pci) && (d.Driver is null || d.Driver == adapter.Driver))
            .OrderByDescending(d => d.Pci is not null && d.Driver is not null)
            .FirstOrDefault();

    /// <summary>Every requirement <paramref name="adapter"/> fails, as readable sentences; empty when PD may run on it.</summary>
    public IReadOnlyList<string> Check(AdapterInfo adapter)
    {
        var unmet = new List<string>();
        if (!LinkTypes.Contains(adapter.LinkType))
            unmet.Add($"PacketDirect is supported only on {string.Join(" or ", LinkTypes)} ports; {adapter.Name} is {adapter.LinkType}.");

        var device = Match(adapter);
        if (device is null)
        {
            if (!AllowUnlistedDevices)
                unmet.Add(adapter.Pci == default
                    ? $"{adapter.Name} (driver {(adapter.Driver.Length > 0 ? adapter.Driver : "none")}, no PCI id) is not a PacketDirect-capable device."
                    : $"Device {adapter.Pci} ({adapter.Model}) is not a PacketDirect-capable device.");
            return unmet;
        }
        if (device.MinFirmware > Unset && (!TryVersion(adapter.FirmwareVersion, out var firmware) || firmware < device.MinFirmware))
            unmet.Add($"{device.Name} needs firmware {device.MinFirmware} or later; {adapter.Name} has {Shown(adapter.FirmwareVersion)}.");
        if (device.MinDriver > Unset && (!TryVersion(adapter.DriverVersion, out var driver) || driver < device.MinDriver))
            unmet.Add($"{device.Name} needs driver {device.MinDriver} or later; {adapter.Name} has {adapter.Driver} {Shown(adapter.DriverVersion)}.");
        return unmet;
    }

    private static readonly Version Unset = new(0, 0);

    private static string Shown(string version) => version.Length > 0 ? version : "none";

    /// <summary>Throws <see cref="PdNotSupportedException"/> listing every unmet requirement.</summary>
    public void Ensure(AdapterInfo adapter)
    {
        var unmet = Check(adapter);
        if (unmet.Count > 0)
            throw new PdNotSupportedException(adapter.Name, unmet);
    }

    /// <summary>Reads the dotted number a version string starts with (<c>2.42.5000</c> of <c>2.42.5000 (MT_1090111023)</c>).</summary>
    private static bool TryVersion(string text, out Version version)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
            end++;
        return Version.TryParse(text.AsSpan(0, end).TrimEnd('.'), out version!);
    }

    private static PdRequirements LoadEmbedded()
    {
        using var stream = typeof(PdRequirements).Assembly.GetManifestResourceStream("pd-requirements.json")
            ?? throw new InvalidOperationException("pd-requirements.json is missing from the build.");
        return Read(stream, "embedded pd-requirements.json");
    }
}

/// <summary>
/// Version floors for one device, matched by PCI id, by Linux driver name, or both; a development device (veth,
/// virtio_net) is accepted to run PD in development and tests, though it is no PacketDirect hardware.
/// </summary>
public sealed record DeviceRequirement(PciId? Pci, string? Driver, string Name, Version MinFirmware, Version MinDriver, bool Development = false);

/// <summary>PacketDirect was refused on an adapter; <see cref="Unmet"/> lists every reason.</summary>
public sealed class PdNotSupportedException(string adapter, IReadOnlyList<string> unmet)
    : NotSupportedException($"PacketDirect cannot run on {adapter}: {string.Join(" ", unmet)}")
{
    /// <summary>Each unmet requirement as a sentence.</summary>
    public IReadOnlyList<string> Unmet { get; } = unmet;
}

internal sealed class RequirementsDocument
{
    public List<LinkType>? LinkTypes { get; set; }
    public List<DeviceDocument>? Devices { get; set; }
    public bool AllowUnlistedDevices { get; set; }
}

internal sealed class DeviceDocument
{
    public string? Pci { get; set; }
    public string? Driver { get; set; }
    public string? Name { get; set; }
    public bool Development { get; set; }
    public string? MinFirmware { get; set; }
    public string? MinDriver { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RequirementsDocument))]
internal sealed partial class RequirementsJson : JsonSerializerContext;
