using PdCluster.DataPath;
using PdCluster.Queues.Capture;

namespace PdCluster.Node.Hosting;

/// <summary>A capture armed on a queue's tap, or why none was: no such adapter or queue (<see cref="NotFound"/>), or the queue is busy or not running.</summary>
internal sealed record CaptureStart(CaptureTap? Tap, CaptureRing? Ring, string? Refusal, bool NotFound = false);
