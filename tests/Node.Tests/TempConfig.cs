using System.Net;
using System.Net.Sockets;

namespace PdCluster.Tests.Node;

/// <summary>A node configuration in a temporary folder, listening on a free loopback port.</summary>
internal sealed class TempConfig : IDisposable
{
    public TempConfig(string? adapters = null, string? extra = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("pd-node-").FullName;
        Port = FreePort();
        Path = System.IO.Path.Combine(Directory, "node.json");
        File.WriteAllText(Path, $$"""
            {
              "node": "test-node",
              "admin": { "listen": "127.0.0.1:{{Port}}" },
              {{extra ?? ""}}
              "adapters": [ {{adapters ?? Adapter("pd0")}} ]
            }
            """);
    }

    public string Directory { get; }

    public string Path { get; }

    public int Port { get; }

    public static string Adapter(string name, string extra = "") => $$"""
        { "name": "{{name}}", "queues": 2, "queueSize": 256, "buffers": 2048, {{extra}}
          "simulated": { "generator": { "rate": 20000, "flows": [
            { "source": "198.18.0.10", "destination": "198.18.1.1", "protocol": "tcp", "sourcePort": 1, "destinationPort": 80 },
            { "source": "198.18.200.1", "destination": "198.18.1.1", "protocol": "udp", "sourcePort": 2, "destinationPort": 53 } ] } } }
        """;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
