using System.Globalization;
using System.Runtime.InteropServices;
using PdCluster.Concurrency;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.TestKit;

namespace PdCluster.Tests.Provider.Contract;

/// <summary>
/// PD's drain notification on a provider over kernel sockets: a queue's own thread, idle on
/// <see cref="DrainNotificationIdleStrategy"/>, sleeps in one <c>ppoll</c> on its wake signal's eventfd and the queue's
/// socket, and the kernel wakes it for a frame, with no notifier thread between them. The idle's longest wait is
/// minutes, so a frame drained within seconds was the socket's wake. Derive once per kernel provider.
/// </summary>
public abstract unsafe class KernelDrainNotificationContract : HarnessedProviderTests
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private readonly List<IPdQueue> _queues = [];
    private readonly List<PdReceiveFilter> _filters = [];

    [ContractFact]
    public void An_idle_queue_thread_sleeps_in_one_ppoll_on_its_socket_and_wakes_for_a_frame()
    {
        var rx = PostedRx();
        Steer(rx, "80");
        using (var poller = new Poller(rx, Pool))
        {
            var fds = poller.SleepingOn();
            Assert.Equal(2, fds.Length);
            Assert.Equal("anon_inode:[eventfd]", Target(fds[0].Fd));
            Assert.StartsWith("socket:[", Target(fds[1].Fd));
            Assert.Equal(PollEvents.In, (PollEvents)fds[1].Events);
            Assert.Empty(NotifierThreads());

            Harness.Offer(Frame(80));
            Until(() => poller.Drained == 1, "the frame to wake the sleeping queue thread");
            Assert.Equal(2, poller.SleepingOn().Length);
            Harness.Offer(Frame(80), 3);
            Until(() => poller.Drained == 4, "three more frames");
            Assert.Empty(NotifierThreads());
        }
        Finish();
    }

    /// <summary>
    /// Paced polling (<see cref="PacedIdleStrategy"/>): after work, the thread sleeps paces with only its eventfd (the
    /// socket's readiness cannot wake it, so the kernel pays no wake-up); once quiet past the window it sleeps on the
    /// socket again, and the kernel wakes it for a frame.
    /// </summary>
    [ContractFact]
    public void A_paced_queue_thread_paces_after_work_and_sleeps_on_its_socket_once_quiet()
    {
        var rx = PostedRx();
        Steer(rx, "80");
        using (var poller = new Poller(rx, Pool, paced: true))
        {
            Assert.Equal(2, poller.SleepingOn(descriptors: 2).Length);
            Harness.Offer(Frame(80));
            Until(() => poller.Drained == 1, "the frame to wake the sleeping queue thread");
            // Within the window (a second) every wait is a pace: the eventfd alone.
            Assert.Equal("anon_inode:[eventfd]", Target(Assert.Single(poller.SleepingOn(descriptors: 1)).Fd));
            Harness.Offer(Frame(80), 3);
            Until(() => poller.Drained == 4, "three more frames");
            Assert.True(poller.Paces > 0, "no pace after work");
            // Quiet past the window: asleep on the socket, and a frame wakes it.
            Assert.Equal(2, poller.SleepingOn(descriptors: 2).Length);
            Harness.Offer(Frame(80));
            Until(() => poller.Drained == 5, "a frame after the quiet spell");
            Assert.Empty(NotifierThreads());
        }
        Finish();
    }

    /// <summary>
    /// A flush of a sibling queue on the same device queue takes every socket down (AF_XDP rebinds the others, from
    /// their own polls when the kernel is not ready yet); the sibling asleep on its old socket must wake and go on.
    /// </summary>
    [ContractFact]
    public void A_queue_thread_asleep_when_a_sibling_is_flushed_wakes_and_receives_again()
    {
        var sibling = PostedRx();
        var rx = PostedRx();
        Steer(sibling, "81");
        Steer(rx, "80");
        using (var poller = new Poller(rx, Pool))
        {
            poller.SleepingOn();
            sibling.FlushQueue();
            Assert.False(rx.IsStopped);
            // Frames that come while the queue has no socket yet are dropped: offer until one gets through.
            Until(() =>
            {
                Harness.Offer(Frame(80));
                Thread.Sleep(10);
                return poller.Drained > 0;
            }, "a frame after the sibling's flush");
            Assert.Equal(2, poller.SleepingOn().Length);
        }
        Finish();
    }

    private static byte[] Frame(ushort destinationPort) =>
        new FrameBuilder().Ethernet(0x02_00_00_00_00_02, 0x02_00_00_00_00_01).Ipv4("198.18.0.1", "198.18.1.1").Udp(40000, destinationPort).Build();

    /// <summary>Steers UDP to <paramref name="port"/> to <paramref name="target"/>.</summary>
    private void Steer(IPdQueue target, string port) =>
        _filters.Add(Provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, port)], target, 0, 0)));

    /// <summary>Where an open descriptor of this process points, as /proc shows it.</summary>
    private static string Target(int fd) => new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "";

    /// <summary>This process's threads named as the notifier threads were (a thread per provider between socket and queue).</summary>
    private static List<string> NotifierThreads() =>
        Directory.EnumerateDirectories("/proc/self/task")
            .Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim())
            .Where(name => name.Contains("notify", StringComparison.OrdinalIgnoreCase))
            .ToList();

    private static void Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            Thread.Sleep(1);
        }
    }

    private IPdQueue PostedRx()
    {
        var q = Provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 64, Pool));
        _queues.Add(q);
        var buffers = new int[63];
        Assert.Equal(63, Pool.TryAllocate(buffers));
        var posted = q.PostAndDrain(buffers, []).Posted;
        Pool.Return(buffers.AsSpan(posted));
        return q;
    }

    /// <summary>Clears the filters, flushes, drains and frees every queue, then checks every buffer is home.</summary>
    private void Finish()
    {
        foreach (var f in _filters)
            Provider.ClearReceiveFilter(f);
        var drain = new int[64];
        foreach (var q in _queues)
        {
            q.FlushQueue();
            var deadline = DateTime.UtcNow + Soon;
            while (q.Outstanding > 0 && DateTime.UtcNow < deadline)
            {
                var r = q.PostAndDrain([], drain);
                Pool.Return(drain.AsSpan(0, r.Drained));
            }
            Provider.FreeQueue(q);
        }
        Assert.Equal(Pool.Capacity, Pool.FreeCount);
    }

    /// <summary>A receive queue's own thread: drains what comes back to the pool, idle on drain notification for up to <see cref="LongestWait"/>.</summary>
    private sealed class Poller : IDutyCycle, IDisposable
    {
        private readonly IPdQueue _queue;
        private readonly BufferPool _pool;
        private readonly int[] _drain = new int[64];
        private readonly WakeSignal _signal = new();
        private readonly IIdleStrategy _idle;
        private readonly DutyCycleRunner _runner;
        private readonly TaskCompletionSource<int> _tid = new();
        private long _drained;

        public Poller(IPdQueue queue, BufferPool pool, bool paced = false)
        {
            _queue = queue;
            _pool = pool;
            _idle = paced
                ? new PacedIdleStrategy([queue], _signal, TimeSpan.FromMicroseconds(20), TimeSpan.FromSeconds(1), LongestWait)
                : new DrainNotificationIdleStrategy([queue], _signal, AdaptiveSpinPolicy.Never(), LongestWait);
            _runner = new DutyCycleRunner(this, _idle, e => Console.Error.WriteLine($"poller: {e}"));
            _runner.Start();
        }

        public string RoleName => "pd-drain-test";

        public long Drained => Interlocked.Read(ref _drained);

        /// <summary>Paces slept (paced polling only).</summary>
        public long Paces => (_idle as PacedIdleStrategy)?.Paces ?? 0;

        public void OnStart() => _tid.SetResult(int.Parse(Path.GetFileName(new DirectoryInfo("/proc/thread-self").LinkTarget!), CultureInfo.InvariantCulture));

        public int DoWork()
        {
            var r = _queue.PostAndDrain([], _drain);
            _pool.Return(_drain.AsSpan(0, r.Drained));
            Interlocked.Add(ref _drained, r.Drained);
            return r.Drained;
        }

        /// <summary>
        /// Waits until the thread blocks in <c>ppoll</c> (on <paramref name="descriptors"/> of them, when given), and
        /// returns the descriptors it sleeps on (read from its own array, pinned for the call).
        /// </summary>
        public PollFd[] SleepingOn(int? descriptors = null)
        {
            var ppoll = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 73 : 271;
            var path = $"/proc/self/task/{_tid.Task.Result}/syscall";
            var deadline = DateTime.UtcNow + Soon;
            while (true)
            {
                // "NR arg0 arg1 ..." while blocked in a system call; arg0 is the pollfd array, arg1 its length.
                var fields = File.ReadAllText(path).Split(' ');
                if (fields.Length > 2 && fields[0] == ppoll.ToString(CultureInfo.InvariantCulture))
                {
                    var fds = (PollFd*)Convert.ToInt64(fields[1], 16);
                    var count = Convert.ToInt32(fields[2], 16);
                    if (descriptors is null || count == descriptors)
                        return new ReadOnlySpan<PollFd>(fds, count).ToArray();
                }
                Assert.True(DateTime.UtcNow < deadline, $"The queue thread never slept in ppoll (last: {string.Join(' ', fields.Take(3))}).");
                Thread.Sleep(1);
            }
        }

        public void Dispose()
        {
            _runner.RequestClose();
            _signal.Set();
            _runner.Close();
            _signal.Dispose();
        }
    }

    /// <summary>The kernel's <c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
