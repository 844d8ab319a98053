using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Google.Protobuf;

namespace PdCluster.Cluster.Etcd;

/// <summary>
/// POSTs to etcd's v3 JSON gateway, and opens etcd's streaming gRPC calls over HTTP/2: over TLS when configured, with
/// the auth token (raw, no scheme) in the Authorization header (gRPC: the <c>token</c> metadata), re-authenticating
/// once when etcd calls the token invalid, and moving to the next member when one does not answer (a write only while
/// no member was reached). Throws <see cref="EtcdUnavailableException"/> once every member has failed, or a write's
/// member may have applied it.
/// </summary>
internal sealed class EtcdGateway : IDisposable
{
    private const int Unavailable = 14;
    private const int Unauthenticated = 16;

    /// <summary>
    /// How long an HTTP/2 connection with a call open (a watch) may stay silent before a ping asks whether the member
    /// is still there; one unanswered within the request timeout ends the watch, which opens again on the next member.
    /// Not shorter: etcd answers pings more often than its <c>--grpc-keepalive-min-time</c> (5 s) by closing the connection.
    /// </summary>
    private static readonly TimeSpan PingDelay = TimeSpan.FromSeconds(10);

    private readonly EtcdOptions _options;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _authenticating = new(1, 1);
    private int _current;
    private string? _token;

    public EtcdGateway(EtcdOptions options)
    {
        if (options.Endpoints.Count == 0)
            throw new ArgumentException("etcd needs at least one endpoint.", nameof(options));
        _options = options;
        _http = new HttpClient(CreateHandler(options), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Sends one request that may be repeated (a read, a lease call, a compaction) and reads its whole answer, failing
    /// over and re-authenticating as needed; <paramref name="attempt"/> bounds the wait for each member (default: the
    /// request timeout), for a call that must get through sooner (a keepalive, within its lease's TTL).
    /// </summary>
    public Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancel, TimeSpan? attempt = null) =>
        PostAsync(new Call(path, () => JsonContent.Create(request, requestType), Grpc: false, Repeatable: true, attempt ?? _options.RequestTimeout), responseType, cancel);

    /// <summary>
    /// Sends one write (a put, a delete, a transaction) and reads its whole answer. It goes on to the next member only
    /// while none was reached; once a member may have it, an error or silence fails the call and it is not sent again,
    /// since that member may have applied it (a delete sent again answers that nothing was there; a transaction, that
    /// its comparison failed). etcd's own client retries writes the same way.
    /// </summary>
    public Task<TResponse> PostWriteAsync<TRequest, TResponse>(string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancel) =>
        PostAsync(new Call(path, () => JsonContent.Create(request, requestType), Grpc: false, Repeatable: false, _options.RequestTimeout), responseType, cancel);

    private async Task<TResponse> PostAsync<TResponse>(Call call, JsonTypeInfo<TResponse> responseType, CancellationToken cancel)
    {
        var path = call.Path;
        using var response = await SendAsync(call, cancel);
        try
        {
            return await response.Content.ReadFromJsonAsync(responseType, cancel)
                ?? throw new EtcdException($"etcd answered {path} with an empty body.");
        }
        catch (JsonException e)
        {
            throw new EtcdException($"etcd answered {path} with something other than the gateway's JSON: {e.Message}", inner: e);
        }
    }

    /// <summary>
    /// Opens a server-streaming gRPC call of etcd's (<paramref name="path"/>: <c>/package.Service/Method</c>) with one
    /// request message, and returns as soon as the answer's headers arrive, to read its messages with <see cref="GrpcMessages"/>.
    /// </summary>
    public Task<HttpResponseMessage> OpenGrpcStreamAsync(string path, IMessage request, CancellationToken cancel) =>
        SendAsync(new Call(path, () => GrpcMessages.Frame(request), Grpc: true, Repeatable: true, _options.RequestTimeout), cancel);

    /// <summary>The status a gRPC call ended with, from its trailers (or its headers, for an answer with no messages); null when it ended well.</summary>
    public static GatewayError? GrpcStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues("grpc-status", out var status) || status.FirstOrDefault() is not { } text || text == "0")
            return null;
        var message = headers.TryGetValues("grpc-message", out var messages) ? Uri.UnescapeDataString(messages.First()) : $"gRPC status {text}";
        return new GatewayError(message, int.TryParse(text, out var code) ? code : 0);
    }

    /// <summary>Forgets the token, so the next request authenticates again (a stream was refused for an expired token).</summary>
    public void ForgetToken(string? token) => Interlocked.CompareExchange(ref _token, null, token);

    /// <summary>The token requests carry now (null before authenticating, or without auth).</summary>
    public string? Token => Volatile.Read(ref _token);

    public void Dispose()
    {
        _http.Dispose();
        _authenticating.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(Call call, CancellationToken cancel)
    {
        var path = call.Path;
        var endpoints = _options.Endpoints;
        var failures = new List<string>();
        Exception? last = null;
        var first = Volatile.Read(ref _current);
        for (var tried = 0; tried < endpoints.Count; tried++)
        {
            var index = (first + tried) % endpoints.Count;
            var endpoint = endpoints[index];
            var sent = false;
            try
            {
                var reauthenticated = false;
                while (true)
                {
                    var token = _options.User is null ? null : Token ?? await AuthenticateAsync(endpoint, cancel);
                    sent = true;
                    var response = await SendOnceAsync(endpoint, call, token, cancel);
                    GatewayError? error;
                    try
                    {
                        error = !response.IsSuccessStatusCode ? await ReadErrorAsync(response, cancel) : call.Grpc ? GrpcAnswer(response) : null;
                    }
                    catch
                    {
                        response.Dispose();
                        throw;
                    }
                    if (error is null)
                    {
                        Volatile.Write(ref _current, index);
                        return response;
                    }
                    response.Dispose();
                    if (error.Code == Unauthenticated && _options.User is not null && !reauthenticated)
                    {
                        ForgetToken(token);
                        reauthenticated = true;
                        continue;
                    }
                    if (error.Code == Unavailable)
                        throw new HttpRequestException(error.Message);
                    throw new EtcdException($"etcd refused {path}: {error.Message}", error.Code);
                }
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
            {
                last = e;
                failures.Add($"{endpoint}: {(e is HttpRequestException failed ? await MemberFailure.DescribeAsync(failed, endpoint, _options, cancel) : $"no answer within {call.Attempt.TotalSeconds:0.#} s")}");
                if (!call.Repeatable && sent && !Unreached(e))
                    throw new EtcdUnavailableException($"No etcd member confirmed {path} ({string.Join("; ", failures)}); the last may have applied it, so it was not sent again.", e);
            }
        }
        throw new EtcdUnavailableException($"No etcd member answered {path} ({string.Join("; ", failures)}).", last);
    }

    /// <summary>Whether a request cannot have been applied: no connection (refused, unreachable, not made within the connect timeout), no TLS session, or an answer that was not etcd's.</summary>
    private static bool Unreached(Exception e) =>
        e is NotEtcdException
        || e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }
        || e.InnerException is TimeoutException;

    /// <summary>The status of a gRPC call's answer that came with no messages; throws <see cref="NotEtcdException"/> for an answer that is not gRPC at all.</summary>
    private static GatewayError? GrpcAnswer(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType?.StartsWith(GrpcMessages.ContentType.MediaType!, StringComparison.Ordinal) == true || response.Headers.Contains("grpc-status")
            ? GrpcStatus(response.Headers)
            : throw new NotEtcdException($"not an etcd member: it answered a gRPC call with HTTP {(int)response.StatusCode} and content type '{response.Content.Headers.ContentType?.MediaType}'");

    private async Task<string> AuthenticateAsync(Uri endpoint, CancellationToken cancel)
    {
        await _authenticating.WaitAsync(cancel);
        try
        {
            if (Token is { } current)
                return current;
            var request = new AuthenticateRequest(_options.User!, _options.Password ?? "");
            var call = new Call("/v3/auth/authenticate", () => JsonContent.Create(request, GatewayJson.Default.AuthenticateRequest), Grpc: false, Repeatable: true, _options.RequestTimeout);
            using var response = await SendOnceAsync(endpoint, call, null, cancel);
            if (!response.IsSuccessStatusCode)
            {
                var error = await ReadErrorAsync(response, cancel);
                throw new EtcdException($"etcd refused user '{_options.User}': {error.Message}", error.Code);
            }
            var answer = await response.Content.ReadFromJsonAsync(GatewayJson.Default.AuthenticateResponse, cancel);
            var token = answer?.Token ?? throw new EtcdException("etcd answered /v3/auth/authenticate without a token.");
            Volatile.Write(ref _token, token);
            return token;
        }
        finally
        {
            _authenticating.Release();
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Uri endpoint, Call call, string? token, CancellationToken cancel)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, call.Path)) { Content = call.Content() };
        if (call.Grpc)
        {
            message.Version = HttpVersion.Version20;
            message.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
            // A member cut off from the others keeps a stream open and silent; with this, etcd ends it (and refuses to
            // open one) while the member has no leader, so the call moves to a member that has one, as etcd's own
            // client does with WithRequireLeader.
            message.Headers.TryAddWithoutValidation("hasleader", "true");
        }
        if (token is not null)
            message.Headers.TryAddWithoutValidation(call.Grpc ? "token" : "Authorization", token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(call.Attempt);
        // A gRPC call's messages are read as they come; a gateway answer is read whole.
        var completion = call.Grpc ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead;
        var response = await _http.SendAsync(message, completion, timeout.Token);
        if (completion == HttpCompletionOption.ResponseContentRead || !response.IsSuccessStatusCode)
            await response.Content.LoadIntoBufferAsync(timeout.Token);
        return response;
    }

    /// <summary>etcd's error in an answer's body; throws <see cref="NotEtcdException"/> for a body that is not one (the endpoint is not an etcd member).</summary>
    private static async Task<GatewayError> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        return EtcdError(await response.Content.ReadAsStringAsync(cancel))
            ?? throw new NotEtcdException($"not an etcd member: it answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} without etcd's error");
    }

    private static GatewayError? EtcdError(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, GatewayJson.Default.GatewayError) is { Message: not null } error ? error : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static SocketsHttpHandler CreateHandler(EtcdOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            KeepAlivePingDelay = PingDelay,
            KeepAlivePingTimeout = options.RequestTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        if (options.CaFile is null && options.CertFile is null)
            return handler;
        var ssl = new SslClientAuthenticationOptions();
        if (options.CaFile is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(options.CaFile);
            policy.CustomTrustStore.AddRange(authorities);
            ssl.CertificateChainPolicy = policy;
        }
        if (options.CertFile is not null)
            ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile)];
        handler.SslOptions = ssl;
        return handler;
    }

    /// <summary>One request as sent to each member in turn: its body made afresh per attempt, whether it is a gRPC call, whether it may be sent again after reaching a member, and how long each member has to answer.</summary>
    private sealed record Call(string Path, Func<HttpContent> Content, bool Grpc, bool Repeatable, TimeSpan Attempt);
}
