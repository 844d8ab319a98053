using System.Text.Json;
using System.Text.Json.Serialization;
using PdCluster.Nic.Adapters;

namespace PdCluster.Nic.Requirements;

/// <summary>
/// Which adapters may run PacketDirect, read from <c>cluster-config/pd-requirements.json</c>: the link types PD runs
/// on, and per PCI device the minimum firmware and driver versions (ConnectX-3 Pro: firmware 2.36.5150, WinOF 5.25).
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

    /// <summary>Reads requirements from a file; errors name the file and what is wrong.</summary>
    public static PdRequirements Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads requirements from JSON; <paramref name="source"/> names the input in errors.</summary>
    public static PdRequirements Read(Stream json, string source)
    {
        RequirementsDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(json, RequirementsJson.Default.RequirementsDocument);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        if (doc?.LinkTypes is null || doc.LinkTypes.Count == 0)
            throw new InvalidDataException($"{source}: 'linkTypes' must list at least one link type.");
        var devices = new List<DeviceRequirement>();
        foreach (var d in doc.Devices ?? [])
        {
            try
            {
                devices.Add(new DeviceRequirement(PciId.Parse(d.Pci ?? ""), d.Name ?? d.Pci ?? "",
                    Version.Parse(d.MinFirmware ?? "0.0"), Version.Parse(d.MinDriver ?? "0.0")));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                throw new InvalidDataException($"{source}: device '{d.Pci}': {e.Message}", e);
            }
        }
        return new PdRequirements { LinkTypes = doc.LinkTypes, Devices = devices, AllowUnlistedDevices = doc.AllowUnlistedDevices };
    }

    /// <summary>Every requirement <paramref name="adapter"/> fails, as readable sentences; empty when PD may run on it.</summary>
    public IReadOnlyList<string> Check(AdapterInfo adapter)
    {
        var unmet = new List<string>();
        if (!LinkTypes.Contains(adapter.LinkType))
            unmet.Add($"PacketDirect is supported only on {string.Join(" or ", LinkTypes)} ports; {adapter.Name} is {adapter.LinkType}.");

        var device = Devices.FirstOrDefault(d => d.Pci == adapter.Pci);
        if (device is null)
        {
            if (!AllowUnlistedDevices)
                unmet.Add($"Device {adapter.Pci} ({adapter.Model}) is not a PacketDirect-capable device.");
            return unmet;
        }
        if (!TryVersion(adapter.FirmwareVersion, out var firmware) || firmware < device.MinFirmware)
            unmet.Add($"{device.Name} needs firmware {device.MinFirmware} or later; {adapter.Name} has {adapter.FirmwareVersion}.");
        if (!TryVersion(adapter.DriverVersion, out var driver) || driver < device.MinDriver)
            unmet.Add($"{device.Name} needs driver {device.MinDriver} or later; {adapter.Name} has {adapter.Driver} {adapter.DriverVersion}.");
        return unmet;
    }

    /// <summary>Throws <see cref="PdNotSupportedException"/> listing every unmet requirement.</summary>
    public void Ensure(AdapterInfo adapter)
    {
        var unmet = Check(adapter);
        if (unmet.Count > 0)
            throw new PdNotSupportedException(adapter.Name, unmet);
    }

    private static bool TryVersion(string text, out Version version) => Version.TryParse(text, out version!);

    private static PdRequirements LoadEmbedded()
    {
        using var stream = typeof(PdRequirements).Assembly.GetManifestResourceStream("pd-requirements.json")
            ?? throw new InvalidOperationException("pd-requirements.json is missing from the build.");
        return Read(stream, "embedded pd-requirements.json");
    }
}

/// <summary>Version floors for one PCI device.</summary>
public sealed record DeviceRequirement(PciId Pci, string Name, Version MinFirmware, Version MinDriver);

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
    public string? Name { get; set; }
    public string? MinFirmware { get; set; }
    public string? MinDriver { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RequirementsDocument))]
internal sealed partial class RequirementsJson : JsonSerializerContext;
