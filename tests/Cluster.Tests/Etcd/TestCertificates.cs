using System.Diagnostics;

namespace PdCluster.Tests.Cluster.Etcd;

/// <summary>
/// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in a directory. The
/// client certificate has no Common Name: with auth on, etcd refuses gateway requests whose certificate has one.
/// </summary>
public sealed record TestCertificates(string Ca, string ServerCert, string ServerKey, string ClientCert, string ClientKey)
{
    /// <summary>Generates the CA and both certificates (P-256, valid one day) under <paramref name="dir"/>.</summary>
    public static TestCertificates Create(string dir)
    {
        string F(string name) => Path.Combine(dir, name);
        File.WriteAllText(F("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        File.WriteAllText(F("client.ext"), "extendedKeyUsage=clientAuth\n");
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", F("ca.key"), "-out", F("ca.crt"), "-days", "1", "-subj", "/CN=pd-test-ca");
        foreach (var who in new[] { "server", "client" })
        {
            OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", F($"{who}.key"), "-out", F($"{who}.csr"), "-subj", who == "server" ? "/CN=pd-test-server" : "/O=pd-test-client");
            OpenSsl("x509", "-req", "-in", F($"{who}.csr"), "-CA", F("ca.crt"), "-CAkey", F("ca.key"), "-CAcreateserial", "-out", F($"{who}.crt"), "-days", "1", "-extfile", F($"{who}.ext"));
        }
        return new TestCertificates(F("ca.crt"), F("server.crt"), F("server.key"), F("client.crt"), F("client.key"));
    }

    private static void OpenSsl(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {error.Result}");
    }
}
