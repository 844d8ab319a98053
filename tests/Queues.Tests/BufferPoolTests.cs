using PdCluster.Queues.Buffers;

namespace PdCluster.Tests.Queues;

public sealed class BufferPoolTests
{
    [Fact]
    public void Buffers_are_page_aligned_and_fixed_size()
    {
        using var pool = new BufferPool(16, 2048);
        Assert.Equal(0, pool.BaseAddress % BufferPool.PageSize);
        Assert.Equal(2048, pool.Buffer(3).Length);
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(1984)]
    public unsafe void Buffer_heads_are_line_aligned_and_spread_over_every_cache_set(int bufferSize)
    {
        using var pool = new BufferPool(64, bufferSize);
        var sets = new HashSet<long>();
        for (var handle = 0; handle < 64; handle++)
        {
            fixed (byte* head = pool.Buffer(handle))
            {
                Assert.Equal(0, (long)head % 64);
                sets.Add((long)head / 64 % 64);
            }
        }
        // 64 consecutive buffers land in 64 different sets of a 64-set cache, not in two.
        Assert.Equal(64, sets.Count);
    }

    [Fact]
    public unsafe void An_aligned_stride_puts_buffers_exactly_their_size_apart()
    {
        using var pool = new BufferPool(8, 2048, alignedStride: true);
        Assert.Equal(2048, pool.BufferStride);
        fixed (byte* first = pool.Buffer(0))
        fixed (byte* fifth = pool.Buffer(5))
            Assert.Equal(5 * 2048L, fifth - first);
    }

    [Fact]
    public void An_aligned_stride_needs_a_power_of_two_size() =>
        Assert.Throws<ArgumentException>(() => new BufferPool(8, 1984, alignedStride: true));

    [Fact]
    public void Allocation_and_return_keep_exact_count()
    {
        using var pool = new BufferPool(100);
        Span<int> handles = stackalloc int[40];
        Assert.Equal(40, pool.TryAllocate(handles));
        Assert.Equal(60, pool.FreeCount);
        Assert.Equal(40, handles.ToArray().Distinct().Count());
        pool.Return(handles);
        Assert.Equal(100, pool.FreeCount);
    }

    [Fact]
    public void Allocation_stops_at_empty()
    {
        using var pool = new BufferPool(10);
        var handles = new int[16];
        Assert.Equal(10, pool.TryAllocate(handles));
        Assert.Equal(0, pool.TryAllocate(handles));
    }

    [Fact]
    public void Checked_mode_catches_double_return()
    {
        using var pool = new BufferPool(8, checkedMode: true);
        var handles = new int[1];
        pool.TryAllocate(handles);
        pool.Return(handles[0]);
        var e = Assert.Throws<BufferPoolException>(() => pool.Return(handles[0]));
        Assert.Contains("returned twice", e.Message);
    }

    [Fact]
    public void Checked_mode_catches_use_after_return()
    {
        using var pool = new BufferPool(8, checkedMode: true);
        var handles = new int[1];
        pool.TryAllocate(handles);
        pool.Buffer(handles[0])[0] = 1;
        pool.Return(handles[0]);
        Assert.Throws<BufferPoolException>(() => pool.Buffer(handles[0]));
        Assert.Throws<BufferPoolException>(() => pool.Descriptor(handles[0]));
    }

    [Fact]
    public void Out_of_range_handle_is_refused_even_unchecked()
    {
        using var pool = new BufferPool(8);
        Assert.Throws<BufferPoolException>(() => pool.Return(8));
        Assert.Throws<BufferPoolException>(() => pool.Buffer(-1));
    }

    [Fact]
    public void Returning_more_than_owned_is_caught_unchecked()
    {
        using var pool = new BufferPool(2);
        Assert.Throws<BufferPoolException>(() => pool.Return([0, 1, 0]));
    }

    [Fact]
    public void Cache_buffers_count_as_free_and_flush_back()
    {
        using var pool = new BufferPool(1000);
        var cache = pool.CreateCache(64);
        var handles = new int[10];
        Assert.Equal(10, cache.TryAllocate(handles));
        Assert.Equal(990, pool.FreeCount);
        Assert.True(cache.Count > 0);
        cache.Return(handles);
        Assert.Equal(1000, pool.FreeCount);
        cache.Flush();
        Assert.Equal(0, cache.Count);
        Assert.Equal(1000, pool.FreeCount);
    }

    [Fact]
    public void Cache_overflow_spills_to_pool()
    {
        using var pool = new BufferPool(1000);
        var a = pool.CreateCache(16);
        var b = pool.CreateCache(16);
        var handles = new int[200];
        Assert.Equal(200, a.TryAllocate(handles));
        b.Return(handles);
        Assert.True(b.Count <= 16);
        Assert.Equal(1000, pool.FreeCount);
    }

    [Fact]
    public void Checked_cache_catches_double_return()
    {
        using var pool = new BufferPool(100, checkedMode: true);
        var cache = pool.CreateCache(16);
        var handles = new int[1];
        cache.TryAllocate(handles);
        cache.Return(handles[0]);
        Assert.Throws<BufferPoolException>(() => cache.Return(handles[0]));
    }

    [Fact]
    public void Released_caches_give_their_buffers_back_and_leave_the_pool()
    {
        using var pool = new BufferPool(1000, checkedMode: true);
        var held = new int[7];
        Assert.Equal(7, pool.TryAllocate(held));
        var handles = new int[40];
        for (var i = 0; i < 10_000; i++)
        {
            var cache = pool.CreateCache(64);
            var n = cache.TryAllocate(handles.AsSpan(0, 1 + i % 40));
            cache.Return(handles.AsSpan(0, n));
            Assert.True(cache.Count > 0);
            cache.Dispose();
            Assert.Equal(0, cache.Count);
        }
        Assert.Equal(0, pool.CacheCount);
        Assert.Equal(1000 - 7, pool.FreeCount);
        pool.Return(held);
        Assert.Equal(1000, pool.FreeCount);
    }

    [Fact]
    public void A_released_cache_refuses_use_and_releases_once()
    {
        using var pool = new BufferPool(100);
        var kept = pool.CreateCache(16);
        var released = pool.CreateCache(16);
        var handles = new int[4];
        Assert.Equal(4, released.TryAllocate(handles));
        Assert.Equal(2, pool.CacheCount);
        released.Dispose();
        released.Dispose();
        Assert.Equal(1, pool.CacheCount);
        Assert.Throws<ObjectDisposedException>(() => released.TryAllocate(handles));
        Assert.Throws<ObjectDisposedException>(() => released.Return(handles));
        Assert.Throws<ObjectDisposedException>(() => released.Flush());
        kept.Return(handles);
        kept.Dispose();
        Assert.Equal(0, pool.CacheCount);
        Assert.Equal(100, pool.FreeCount);
    }

    [Fact]
    public void Threads_with_caches_keep_accounting_exact()
    {
        using var pool = new BufferPool(4096, checkedMode: true);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            var cache = pool.CreateCache(128);
            var handles = new int[48];
            for (var i = 0; i < 20_000; i++)
            {
                var n = cache.TryAllocate(handles.AsSpan(0, 1 + i % 48));
                for (var k = 0; k < n; k++)
                    pool.Buffer(handles[k])[0] = (byte)k;
                cache.Return(handles.AsSpan(0, n));
            }
            cache.Flush();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(4096, pool.FreeCount);
    }
}
