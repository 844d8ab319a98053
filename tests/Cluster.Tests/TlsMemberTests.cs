using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PdCluster.Cluster.Etcd;

namespace PdCluster.Tests.Cluster;

/// <summary>
/// A member whose TLS session fails says why: against a TLS listener on loopback that asks for a client certificate
/// signed by its CA (SslStream, certificates made with CertificateRequest), with none, with a foreign one, with the
/// right one, and reached with http://.
/// </summary>
public sealed class TlsMemberTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pd-tls-member-").FullName;
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _server;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public TlsMemberTests()
    {
        _ca = Authority("pd-test-ca");
        _server = Issue(_ca, "pd-test-member", serverAuth: true);
        _listener.Start();
        _serving = ServeAsync();
    }

    private Uri Https => new($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    private string CaFile => Pem("ca.crt", _ca.ExportCertificatePem());

    [Fact]
    public async Task A_member_that_asks_for_a_client_certificate_says_so_when_none_is_given()
    {
        var e = await FailAsync(new EtcdOptions { Endpoints = [Https], CaFile = CaFile });
        Assert.True(e.Message.Contains($"{Https}: the member ended the TLS session (", StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains("it asks for a client certificate, and none is configured", StringComparison.Ordinal), e.Message);
        Assert.False(e.Message.Contains("An error occurred while sending the request", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task A_member_that_refuses_a_foreign_client_certificate_names_the_certificate()
    {
        var foreign = Issue(Authority("someone-else"), "pd-client", serverAuth: false);
        var (cert, key) = (Pem("foreign.crt", foreign.ExportCertificatePem()), Pem("foreign.key", foreign.GetECDsaPrivateKey()!.ExportECPrivateKeyPem()));
        var e = await FailAsync(new EtcdOptions { Endpoints = [Https], CaFile = CaFile, CertFile = cert, KeyFile = key });
        Assert.True(e.Message.Contains($"{Https}: the member ended the TLS session (", StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains($"it refused the client certificate {cert} (is it signed by a CA the member trusts?)", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task With_the_member_s_own_client_certificate_the_request_is_answered()
    {
        var client = Issue(_ca, "pd-client", serverAuth: false);
        var options = new EtcdOptions
        {
            Endpoints = [Https], CaFile = CaFile,
            CertFile = Pem("client.crt", client.ExportCertificatePem()), KeyFile = Pem("client.key", client.GetECDsaPrivateKey()!.ExportECPrivateKeyPem()),
        };
        await using var store = new EtcdStore(options);
        Assert.Equal(7, (await store.GetAsync("/pd/x")).Revision);
    }

    [Fact]
    public async Task Http_to_a_TLS_member_says_to_use_https()
    {
        var http = new Uri($"http://127.0.0.1:{Https.Port}");
        var e = await FailAsync(new EtcdOptions { Endpoints = [http] });
        Assert.True(e.Message.Contains($"{http}: the member speaks TLS: use https://127.0.0.1:{Https.Port}", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task Http_to_a_plain_listener_that_closes_is_not_taken_for_TLS()
    {
        using var closing = new TcpListener(IPAddress.Loopback, 0);
        closing.Start();
        // Reads what comes (a request, a ClientHello) and closes without a word.
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await closing.AcceptTcpClientAsync(_stop.Token);
                await client.GetStream().ReadAtLeastAsync(new byte[4096], 1, throwOnEndOfStream: false, _stop.Token);
            }
        });
        var http = new Uri($"http://127.0.0.1:{((IPEndPoint)closing.LocalEndpoint).Port}");
        var e = await FailAsync(new EtcdOptions { Endpoints = [http] });
        Assert.False(e.Message.Contains("speaks TLS", StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains($"{http}: ", StringComparison.Ordinal), e.Message);
    }

    private static async Task<EtcdUnavailableException> FailAsync(EtcdOptions options)
    {
        await using var store = new EtcdStore(options with { RequestTimeout = TimeSpan.FromSeconds(10) });
        return await Assert.ThrowsAsync<EtcdUnavailableException>(() => store.GetAsync("/pd/x"));
    }

    /// <summary>Accepts TLS sessions that present a client certificate signed by the CA, and answers each request with an empty range at revision 7.</summary>
    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await using var tls = new SslStream(client.GetStream());
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                        {
                            ServerCertificate = _server,
                            ClientCertificateRequired = true,
                            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && SignedByCa(new X509Certificate2(certificate)),
                        }, _stop.Token);
                        var reader = new StreamReader(tls, Encoding.ASCII);
                        var length = 0;
                        for (var line = await reader.ReadLineAsync(); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync())
                        {
                            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                                length = int.Parse(line["Content-Length:".Length..].Trim());
                        }
                        await reader.ReadBlockAsync(new char[length]);
                        var body = """{"header":{"revision":"7"},"count":"0"}""";
                        await tls.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
                    }
                    catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
                    {
                        // A refused or plain-text client: the session ends, as a TLS member ends it.
                    }
                }
            });
        }
    }

    private bool SignedByCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck } };
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        return chain.Build(certificate);
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name, bool serverAuth)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(8);
        // Valid as long as its authority is: a day from now, counted again, can fall a second past the authority's end.
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), authority.NotAfter, serial);
        // SslStream on Linux presents a server certificate whose key can be exported (PKCS#12 round trip).
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    private string Pem(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _serving.Wait(TimeSpan.FromSeconds(5));
        Directory.Delete(_dir, recursive: true);
    }
}
