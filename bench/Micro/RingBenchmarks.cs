using BenchmarkDotNet.Attributes;
using PdCluster.Queues.Rings;

namespace PdCluster.Micro;

/// <summary>Burst enqueue and dequeue of 32 handles on one thread.</summary>
[MemoryDiagnoser]
public class RingBenchmarks
{
    private readonly SpscRing<int> _ring = new(1024);
    private readonly int[] _burst = new int[32];

    [Benchmark(Description = "enqueue+dequeue burst of 32")]
    public int Burst()
    {
        _ring.TryEnqueue(_burst);
        return _ring.TryDequeue(_burst);
    }
}
