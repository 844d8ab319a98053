using System.Text.Json;
using System.Text.Json.Serialization;
using PdCluster.Nic.Adapters;
using PdCluster.Queues.Input;

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
            if (d.Pci is null)
                throw Fail(source, $"{key}.pci", "is required: the device's vendor:device id, like 15b3:1007.");
            PciId pci;
            try
            {
                pci = PciId.Parse(d.Pci);
            }
            catch (FormatException e)
            {
                throw Fail(source, $"{key}.pci", e.Message);
            }
            if (devices.FindIndex(r => r.Pci == pci) is var twice and >= 0)
                throw Fail(source, $"{key}.pci", $"{pci} is already listed at devices[{twice}].");
            if (d.Name is not null && string.IsNullOrWhiteSpace(d.Name))
                throw Fail(source, $"{key}.name", "must name the device (leave the key out to use its PCI id).");
            devices.Add(new DeviceRequirement(pci, d.Name ?? d.Pci, MinVersion(d.MinFirmware, source, $"{key}.minFirmware"), MinVersion(d.MinDriver, source, $"{key}.minDriver")));
        }
        return new PdRequirements { LinkTypes = doc.LinkTypes, Devices = devices, AllowUnlistedDevices = doc.AllowUnlistedDevices };
    }

    private static Version MinVersion(string? text, string source, string key) =>
        text is null ? new Version(0, 0)
        : Version.TryParse(text, out var version) ? version
        : throw Fail(source, key, $"'{text}' is not a version (numbers separated by dots, like 2.36.5150).");

    private static InvalidDataException Fail(string source, string key, string problem) => new(InputException.Format(source, key, problem));

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
