using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using PdCluster.Node.Admin;
using PdCluster.Node.Configuration;
using PdCluster.Queues.Capture;

namespace PdCluster.Node.Commands;

/// <summary>
/// <c>pd capture</c>: copies what one PD receive queue of a running node gets into a pcap file, or pcapng when the
/// name ends in <c>.pcapng</c> (dpdk-pdump's job),
/// through the node's admin endpoint. The file is written beside its final name and renamed into place once the
/// capture ended cleanly (every frame asked for, Ctrl-C, or the node ending it), so a file at that name is whole.
/// </summary>
internal static class CaptureCommand
{
    /// <summary>How long the node has to arm the capture and answer.</summary>
    internal static readonly TimeSpan ArmTimeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var adapter = new Option<string>("--adapter") { Description = "The adapter.", Required = true };
        var queue = new Option<int>("--queue")
        {
            Description = "The receive queue, from 0.",
            Required = true,
            CustomParser = result => CommonOptions.Whole(result, "--queue", "a queue number (0 or more)", 0, int.MaxValue, v => (int)v),
        };
        var count = new Option<long?>("--count")
        {
            Description = "Stop after this many frames (default: until Ctrl-C).",
            CustomParser = result => CommonOptions.Whole(result, "--count", "a number of frames (1 or more)", 1, long.MaxValue, v => (long?)v),
        };
        var snapLength = new Option<int>("--snaplen", "-s")
        {
            Description = $"Most bytes kept of each frame, 1 to {CaptureFile.MaxCapturedLength} (default: {CaptureFile.MaxCapturedLength}; never more than the adapter's buffers hold).",
            DefaultValueFactory = _ => CaptureFile.MaxCapturedLength,
            CustomParser = result => CommonOptions.Whole(result, "--snaplen", $"a snap length from 1 to {CaptureFile.MaxCapturedLength}", 1, CaptureFile.MaxCapturedLength, v => (int)v),
        };
        var write = new Option<FileInfo>("--write", "-w") { Description = "The file to write: pcapng if its name ends in .pcapng, else classic pcap.", Required = true };
        var endpoint = CommonOptions.Endpoint();
        var command = new Command("capture", "Copy what a PD receive queue of a running node gets into a pcap file (dpdk-pdump), without stopping the queue.");
        command.Options.Add(adapter);
        command.Options.Add(queue);
        command.Options.Add(count);
        command.Options.Add(snapLength);
        command.Options.Add(write);
        command.Options.Add(endpoint);
        command.SetAction((result, cancel) => RunAsync(result.GetValue(endpoint)!, result.GetValue(adapter)!, result.GetValue(queue),
            result.GetValue(count), result.GetValue(snapLength), result.GetValue(write)!.FullName, cancel));
        return command;
    }

    /// <summary>
    /// Arms the capture and writes what the node streams. Exit 2 when the path cannot be written or the node refuses
    /// (no such adapter or queue, a capture already running there); 1 when no node answers, the stream breaks (the
    /// partial file is removed), or the node ended the capture early (the file is kept); 0 otherwise.
    /// </summary>
    internal static async Task<int> RunAsync(Uri endpoint, string adapter, int queue, long? count, int snapLength, string path, CancellationToken cancel)
    {
        if (Directory.Exists(path))
            return CommonOptions.Fail($"-w: {path} is a directory.");
        // The finished file replaces what the path names by a rename: a device, FIFO or socket there would be replaced
        // with a regular file (as root, /dev/null itself), so only a regular file or a new name is taken.
        if (!Posix.IsRegularFileOrAbsent(path))
            return CommonOptions.Fail($"-w: {path} is not a regular file (a device, FIFO or socket); name a file to write.");
        try
        {
            // A symbolic link keeps pointing where it did: the file it names is the one written.
            if (new FileInfo(path).LinkTarget is not null)
                path = File.ResolveLinkTarget(path, returnFinalTarget: true)!.FullName;
        }
        catch (IOException e)
        {
            return CommonOptions.Fail($"-w: cannot write {path}: {e.Message}");
        }
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.pd-capture-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp");
        FileStream file;
        try
        {
            file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (DirectoryNotFoundException)
        {
            return CommonOptions.Fail($"-w: cannot write {path}: the directory {Path.GetDirectoryName(path)} does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CommonOptions.Fail($"-w: cannot write {path}: {e.Message}");
        }
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        PosixSignal? signal = null;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            signal ??= context.Signal;
            interrupted.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var keep = false;
        try
        {
            var pcapng = Path.GetExtension(path).Equals(".pcapng", StringComparison.OrdinalIgnoreCase);
            var outcome = await CaptureAsync(endpoint, adapter, queue, count, snapLength, file, pcapng, interrupted.Token, () => signal);
            await file.DisposeAsync();
            if (outcome.KeepFile)
                File.Move(temp, path, overwrite: true);
            keep = outcome.KeepFile;
            return outcome.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CommonOptions.Failure($"-w: cannot write {path}: {e.Message}");
        }
        finally
        {
            await file.DisposeAsync();
            if (!keep)
                File.Delete(temp);
        }
    }

    private static async Task<(int ExitCode, bool KeepFile)> CaptureAsync(Uri endpoint, string adapter, int queue, long? count, int snapLength, FileStream file, bool pcapng,
        CancellationToken interrupted, Func<PosixSignal?> signal)
    {
        var baseAddress = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var query = $"snaplen={snapLength.ToString(CultureInfo.InvariantCulture)}" + (count is { } k ? $"&count={k.ToString(CultureInfo.InvariantCulture)}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"adapters/{Uri.EscapeDataString(adapter)}/queues/{queue.ToString(CultureInfo.InvariantCulture)}/capture?{query}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(CaptureStream.MediaType));
        HttpResponseMessage response;
        using (var armDeadline = CancellationTokenSource.CreateLinkedTokenSource(interrupted))
        {
            armDeadline.CancelAfter(ArmTimeout);
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, armDeadline.Token);
            }
            catch (HttpRequestException e)
            {
                return (CommonOptions.Failure($"no node answers at {endpoint}: {e.Message}"), false);
            }
            catch (OperationCanceledException) when (!interrupted.IsCancellationRequested)
            {
                return (CommonOptions.Failure($"{endpoint} did not answer within {ArmTimeout.TotalSeconds:0} s; is a node running there?"), false);
            }
            catch (OperationCanceledException)
            {
                return (CommonOptions.Failure($"stopped by {signal()?.ToString() ?? "cancellation"} before the capture started; no file written."), false);
            }
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                var message = $"{endpoint}: {(int)response.StatusCode} {response.ReasonPhrase}: {ErrorText(body)}";
                return ((int)response.StatusCode is >= 400 and < 500 ? CommonOptions.Fail(message) : CommonOptions.Failure(message), false);
            }
            if (!response.Headers.TryGetValues(CaptureStream.SnapLengthHeader, out var values)
                || !int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var snap) || snap is < 1 or > CaptureFile.MaxCapturedLength)
                return (CommonOptions.Failure($"{endpoint}: the answer carries no valid {CaptureStream.SnapLengthHeader} header; is that a pd node?"), false);
            var where = $"{adapter} queue {queue}";
            long written = 0;
            using ICaptureWriter writer = pcapng ? new PcapNgWriter(file, where, snap, leaveOpen: true) : new PcapWriter(file, snap, leaveOpen: true);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
                var end = await CaptureStream.ReadAsync(body, snap, (data, original, time) =>
                {
                    writer.Write(data.Span, original, time);
                    written++;
                }, interrupted);
                (writer as PcapNgWriter)?.WriteStatistics(written + end.Dropped, end.Dropped, DateTimeOffset.UtcNow);
                writer.Dispose();
                if (end.Reason is { } reason)
                    return (CommonOptions.Failure($"the capture of {where} ended early: {reason}; {Report(written, end.Dropped, count)} are in the file."), true);
                TerminalText.Out($"captured {Report(written, end.Dropped, count)} from {where}");
                return (ExitCode.Ok, true);
            }
            catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
            {
                writer.Dispose();
                TerminalText.Out($"captured {written} frames from {where} (stopped by {signal()?.ToString() ?? "cancellation"}; frames dropped while the reader lagged are not counted)");
                return (ExitCode.Ok, true);
            }
            catch (Exception e) when (e is InvalidDataException or HttpRequestException or IOException)
            {
                return (CommonOptions.Failure($"the capture of {where} broke off after {written} frames: {e.Message}; the partial file is removed."), false);
            }
        }
    }

    /// <summary>The node's refusal as it wrote it, else the body as it came.</summary>
    private static string ErrorText(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, AdminJson.Default.AdminError)?.Error ?? body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private static string Report(long written, long dropped, long? count) =>
        $"{written}{(count is { } k && written < k ? $" of {k}" : "")} frames ({dropped} dropped because the reader lagged)";
}
