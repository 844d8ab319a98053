using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PdCluster.Tests.Node;

/// <summary>A node configuration in a temporary folder, listening on a free loopback port.</summary>
internal sealed class TempConfig : IDisposable
{
    public TempConfig(string? adapters = null, string? extra = null, string node = "test-node")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("pd-node-").FullName;
        Port = FreePort();
        Path = System.IO.Path.Combine(Directory, "node.json");
        File.WriteAllText(Path, $$"""
            {
              "node": "{{node}}",
              "admin": { "listen": "127.0.0.1:{{Port}}" },
              {{extra ?? ""}}
              "adapters": [ {{adapters ?? Adapter("pd0")}} ]
            }
            """);
    }

    /// <summary>A node with one afxdp adapter pd0 (<paramref name="keys"/> added) and an empty filter file.</summary>
    public static TempConfig AfXdp(string keys)
    {
        var config = new TempConfig($$"""{ "name": "pd0", "provider": "afxdp", {{keys}} }""", "\"filters\": \"filters.json\",");
        File.WriteAllText(System.IO.Path.Combine(config.Directory, "filters.json"), "[]");
        return config;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Directory { get; }

    public string Path { get; }

    public int Port { get; }

    /// <summary>An adapter's JSON; the keys of <paramref name="extra"/> (<c>"queues": 40,</c>) replace or add to the defaults.</summary>
    public static string Adapter(string name, string extra = "")
    {
        var adapter = JsonNode.Parse($$"""
            { "name": "{{name}}", "queues": 2, "queueSize": 256, "buffers": 2048,
              "simulated": { "generator": { "rate": 20000, "flows": [
                { "source": "198.18.0.10", "destination": "198.18.1.1", "protocol": "tcp", "sourcePort": 1, "destinationPort": 80 },
                { "source": "198.18.200.1", "destination": "198.18.1.1", "protocol": "udp", "sourcePort": 2, "destinationPort": 53 } ] } } }
            """)!.AsObject();
        foreach (var (key, value) in JsonNode.Parse("{" + extra.Trim().TrimEnd(',') + "}")!.AsObject().ToList())
            adapter[key] = value?.DeepClone();
        return adapter.ToJsonString(Indented);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
