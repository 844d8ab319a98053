using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace PdCluster.Cluster.Etcd;

/// <summary>
/// Why a request to one etcd member failed, in words: the TLS handshake's reason (the member's certificate not
/// trusted), the member refusing our client certificate or asking for one we do not have, and a TLS member reached
/// with http://. HttpClient says only "An error occurred while sending the request." for the last two; the reason is
/// in the inner exceptions, or, for http:// to a TLS member, found by trying a TLS handshake with it.
/// </summary>
internal static class MemberFailure
{
    /// <summary>What went wrong with <paramref name="endpoint"/>, from the request's exception <paramref name="e"/>.</summary>
    public static async Task<string> DescribeAsync(HttpRequestException e, Uri endpoint, EtcdOptions options, CancellationToken cancel)
    {
        if (e.InnerException is AuthenticationException handshake)
            return $"SSL/TLS handshake failed: {handshake.Message}{(handshake.InnerException is { } why ? $" ({why.Message})" : "")}";
        if (endpoint.Scheme == Uri.UriSchemeHttps && RefusedSession(e) is var (evidence, alerted))
        {
            var likely = alerted ? "" : "most likely ";
            return options.CertFile is null
                ? $"the member ended the TLS session ({evidence}): {likely}it asks for a client certificate, and none is configured"
                : $"the member ended the TLS session ({evidence}): {likely}it refused the client certificate {options.CertFile} (is it signed by a CA the member trusts?)";
        }
        if (endpoint.Scheme == Uri.UriSchemeHttp && e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse
            && await SpeaksTlsAsync(endpoint, options.ConnectTimeout, cancel))
            return $"the member speaks TLS: use https://{endpoint.Authority}";
        return e.Message;
    }

    /// <summary>
    /// The member's TLS alert (<c>alert bad certificate</c>, <c>alert certificate required</c>), or a reset or close of
    /// the connection before any answer, which is how a member that refuses a client certificate may end the session
    /// instead (TLS 1.3 checks it after the client's side of the handshake is done); with whether the member said so
    /// in an alert. Null when the failure was none of these.
    /// </summary>
    private static (string Evidence, bool Alerted)? RefusedSession(HttpRequestException e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            var alert = inner.Message.IndexOf(" alert ", StringComparison.Ordinal);
            if (alert >= 0)
                return (inner.Message[(alert + 1)..], true);
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionReset } reset)
                return (reset.Message, false);
        }
        return e.HttpRequestError == HttpRequestError.ResponseEnded ? ("it closed the connection with no answer", false) : null;
    }

    /// <summary>Whether <paramref name="endpoint"/> answers a TLS handshake: its certificate is not checked, only that it speaks TLS at all.</summary>
    private static async Task<bool> SpeaksTlsAsync(Uri endpoint, TimeSpan timeout, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token);
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = endpoint.Host, RemoteCertificateValidationCallback = (_, _, _, _) => true }, deadline.Token);
            return true;
        }
        catch (AuthenticationException refused) when (refused.InnerException?.Message.Contains(" alert ", StringComparison.Ordinal) == true)
        {
            return true;
        }
        catch (Exception probe) when (probe is IOException or SocketException or AuthenticationException or OperationCanceledException && !cancel.IsCancellationRequested)
        {
            return false;
        }
    }
}
