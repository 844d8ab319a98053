using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.Node.Configuration;

namespace PdCluster.Tests.Node;

/// <summary>
/// Walks the JSON of a valid node.json, filter file and requirements file and, at every node, substitutes null, a
/// value of the wrong kind, an empty string and out-of-range numbers. Each variant must stop the real loader with a
/// <see cref="ConfigException"/> (what <c>pd</c> prints as <c>pd: message</c> with exit code 2, see
/// <see cref="NodeProcessTests"/>) naming the file at fault and the substituted key.
/// </summary>
public sealed class InputPropertyTests : IDisposable
{
    private const string NodeJson = """
        {
          "node": "node-1",
          "cluster": "lab",
          "store": "etcd",
          "etcd": { "endpoints": ["https://127.0.0.1:2379", "https://127.0.0.2:2379"], "caFile": "ca.crt", "certFile": "client.crt",
                    "keyFile": "client.key", "user": "pd", "passwordFile": "password" },
          "leaseTtl": 3,
          "admin": { "listen": "127.0.0.1:9470" },
          "vmNamespacePrefix": "pdlab-vm-",
          "filters": "filters.json",
          "requirements": "requirements.json",
          "adapters": [
            { "name": "pd0", "provider": "simulated", "pd": true, "queues": 2, "queueSize": 256, "burst": 64, "buffers": 2048,
              "drainNotification": false, "exceptionPath": true,
              "simulated": {
                "mac": "02:00:00:00:00:02", "linkType": "Ethernet", "pci": "15b3:1007", "model": "ConnectX-3 Pro",
                "firmware": "2.36.5150", "driver": "5.25",
                "generator": { "rate": 200000, "flows": [
                  { "source": "198.18.0.10", "destination": "198.18.1.1", "protocol": "tcp", "sourcePort": 40000, "destinationPort": 80, "frameSize": 128, "vlan": 7,
                    "destinationMac": "00:15:5d:00:00:01" },
                  { "source": "198.18.0.10", "destination": "198.18.1.1", "protocol": "arp" } ] } } }
          ]
        }
        """;

    private const string FiltersJson = """
        [
          // comments are allowed
          { "id": "drop-udp-flood", "priority": 10, "action": "drop", "match": { "protocol": "udp", "sourceIp": "198.18.128.0/17" } },
          { "id": "steer-web", "priority": 20, "action": "count", "queue": 1, "context": 7,
            "match": { "protocol": "tcp", "destinationPort": "80", "tcpFlags": "syn|ack", "destinationMac": "02:00:00:00:00:02" } },
          { "id": "count-rest", "priority": 100, "action": "count" }
        ]
        """;

    private const string RequirementsJson = """
        {
          "linkTypes": ["Ethernet"],
          "allowUnlistedDevices": false,
          "devices": [ { "pci": "15b3:1007", "name": "ConnectX-3 Pro", "minFirmware": "2.36.5150", "minDriver": "5.25" } ]
        }
        """;

    private static readonly (string File, string Json)[] Documents = [("node.json", NodeJson), ("filters.json", FiltersJson), ("requirements.json", RequirementsJson)];

    /// <summary>Every node of every document: (document, key path, JSON kind).</summary>
    private static readonly (string File, string Path, JsonValueKind Kind)[] Nodes =
        [.. Documents.SelectMany(d => JsonEdit.Nodes(d.Json).Select(n => (d.File, n.Path, n.Kind)))];

    private readonly string _directory = Directory.CreateTempSubdirectory("pd-input-").FullName;

    /// <summary>Writes the etcd section's files beside the documents: a CA, a client certificate and key, a password.</summary>
    public InputPropertyTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("O=pd-test-client", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, "client.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, "client.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_directory, "password"), "s3cret\n");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Writes the three documents, one of them with <paramref name="value"/> at <paramref name="path"/>, and loads the node.</summary>
    private LoadedConfig Load(string file, string path, string? value)
    {
        foreach (var (name, json) in Documents)
            File.WriteAllText(Path.Combine(_directory, name), name == file && value is not null ? JsonEdit.Set(json, path, value) : json);
        return NodeConfigLoader.Load(Path.Combine(_directory, "node.json"));
    }

    private void AssertRefused(string file, string path, string value)
    {
        var e = Assert.Throws<ConfigException>(() => Load(file, path, value));
        var at = $"{Path.Combine(_directory, file)}: {path}";
        var named = path.Length == 0 ? e.Message.StartsWith(at, StringComparison.Ordinal)
            : e.Message.StartsWith(at + ":", StringComparison.Ordinal) || e.Message.StartsWith(at + " (", StringComparison.Ordinal);
        Assert.True(named, $"{file} with {path} = {value}: the message does not start with '{at}': {e.Message}");
    }

    /// <summary>A value of another JSON kind than <paramref name="kind"/>.</summary>
    private static string[] WrongKinds(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => ["7", "true", "{}", "[]"],
        JsonValueKind.Number => ["\"7\"", "false", "{}", "[]"],
        JsonValueKind.True or JsonValueKind.False => ["\"true\"", "1", "{}", "[]"],
        JsonValueKind.Object => ["\"x\"", "1", "true", "[]"],
        _ => ["\"x\"", "1", "true", "{}"],
    };

    [Fact]
    public void The_base_documents_load()
    {
        var loaded = Load("node.json", "", null);
        Assert.Equal(3, loaded.Filters.Count);
        Assert.Equal((ushort)7, loaded.Config.Adapters[0].Simulated!.Generator!.Flows[0].Vlan);
        Assert.Equal(("pd", "s3cret", 2), (loaded.Etcd!.User, loaded.Etcd.Password, loaded.Etcd.Endpoints.Count));
        Assert.True(Nodes.Length >= 70, $"only {Nodes.Length} nodes walked");
    }

    [Fact]
    public void Every_node_refuses_null_a_wrong_kind_an_empty_string_and_out_of_range_numbers()
    {
        foreach (var (file, path, kind) in Nodes)
        {
            foreach (var value in new[] { "null", WrongKinds(kind)[0], "\"\"", "-1", "1e20" })
                AssertRefused(file, path, value);
        }
    }

    [Fact]
    public void Random_bad_values_at_random_nodes_are_refused_naming_file_and_key()
    {
        var text = ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => JsonSerializer.Serialize(s));
        var blank = Gen.Elements("\"\"", "\" \"", "\"\\t\"", "\"  \\n\"");
        var negative = ArbMap.Default.GeneratorFor<long>().Select(n => (-Int128.Abs(n) - 1).ToString(CultureInfo.InvariantCulture));
        var huge = Gen.Choose(20, 300).Select(e => $"1e{e}");
        var fraction = Gen.Choose(0, 100_000).Select(n => $"{n}.5");
        var variants =
            from node in Gen.Elements(Nodes)
            from value in Gen.OneOf(
                Gen.Constant("null"),
                Gen.OneOf(Gen.Elements(WrongKinds(node.Kind)), node.Kind == JsonValueKind.String ? Gen.Elements("0", "false") : text),
                blank, negative, huge, fraction)
            select (node.File, node.Path, Value: value);
        Prop.ForAll(variants.ToArbitrary(), v => AssertRefused(v.File, v.Path, v.Value))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Fact]
    public void An_adapter_name_is_taken_exactly_when_it_is_1_to_64_of_the_safe_characters_and_not_a_dot_or_two()
    {
        // The rule written out independently of the loader: what a URL path segment, a metric label and a file name take.
        var rule = new System.Text.RegularExpressions.Regex(@"\A(?!\.\.?\z)[A-Za-z0-9._-]{1,64}\z");
        var safe = Gen.Elements("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-".ToCharArray());
        var unsafeChar = Gen.Elements('/', '\\', ' ', '\n', '\t', '\0', '\u007f', '%', '?', '#', '"', '{', 'ö', '\u200b');
        var names = Gen.OneOf(
            Gen.Choose(0, 70).SelectMany(n => Gen.ArrayOf(safe, n)).Select(c => new string(c)),
            Gen.Choose(1, 64).SelectMany(n => Gen.ArrayOf(safe, n)).SelectMany(c => Gen.Choose(0, c.Length).SelectMany(at => unsafeChar.Select(u => new string(c).Insert(at, u.ToString())))),
            Gen.Elements(".", "..", "...", "a/b", "../pd0", "pd0/..", "pd0\n", ".\n", new string('x', 64), new string('x', 65)),
            ArbMap.Default.GeneratorFor<string>().Where(n => n is not null));
        Prop.ForAll(names.ToArbitrary(), name =>
        {
            var value = JsonSerializer.Serialize(name);
            if (rule.IsMatch(name))
            {
                Assert.Equal(name, Load("node.json", "adapters[0].name", value).Config.Adapters[0].Name);
                return;
            }
            var e = Assert.Throws<ConfigException>(() => Load("node.json", "adapters[0].name", value));
            Assert.StartsWith($"{Path.Combine(_directory, "node.json")}: adapters[0].name: '", e.Message);
            Assert.EndsWith($" is not an adapter name: {NodeConfigLoader.AdapterNameRule} (it names the adapter in URLs and metric labels).", e.Message);
            Assert.DoesNotContain(e.Message, char.IsControl);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1_000));
    }
}

