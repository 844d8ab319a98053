using System.Collections.Concurrent;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// A Linux network namespace entered by one dedicated thread that runs the calls that must happen inside it (opening
/// sockets, looking up and attaching to interfaces). Sockets made there keep working from any thread afterwards.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    /// <summary>Enters the namespace at <paramref name="path"/> (for example <c>/run/netns/NAME</c>) on a new thread.</summary>
    public NetworkNamespace(string path)
    {
        Path = path;
        Exception? failure = null;
        using var started = new ManualResetEventSlim();
        _thread = new Thread(() =>
        {
            var fd = Posix.open(path, 0x80000);
            if (fd < 0)
                failure = new PdAdapterOptionsException($"cannot open network namespace {path}: {Posix.LastError()}");
            else if (Posix.setns(fd, Posix.CloneNewNet) != 0)
                failure = new PdAdapterOptionsException($"cannot enter network namespace {path}: {Posix.LastError()}");
            if (fd >= 0)
                Posix.close(fd);
            started.Set();
            if (failure is not null)
                return;
            foreach (var action in _work.GetConsumingEnumerable())
                action();
        }) { IsBackground = true, Name = $"netns {System.IO.Path.GetFileName(path)}" };
        _thread.Start();
        started.Wait();
        if (failure is not null)
            throw failure;
    }

    /// <summary>Where the namespace is bound.</summary>
    public string Path { get; }

    /// <summary>Runs <paramref name="call"/> inside the namespace and returns its result (or rethrows its exception); a call made on the namespace's own thread runs at once.</summary>
    public T Run<T>(Func<T> call)
    {
        if (Thread.CurrentThread == _thread)
            return call();
        T result = default!;
        Exception? failure = null;
        using var done = new ManualResetEventSlim();
        _work.Add(() =>
        {
            try
            {
                result = call();
            }
            catch (Exception e)
            {
                failure = e;
            }
            done.Set();
        });
        done.Wait();
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return result;
    }

    /// <summary>Runs <paramref name="call"/> inside the namespace.</summary>
    public void Run(Action call) => Run(() =>
    {
        call();
        return 0;
    });

    /// <inheritdoc/>
    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }
}
