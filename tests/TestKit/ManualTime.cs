namespace PdCluster.TestKit;

/// <summary>A clock the test moves by hand (give it to <c>ActorSystemSettings.Time</c>): restart windows pass only when the test says so.</summary>
public sealed class ManualTime : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    /// <summary>The clock's current time.</summary>
    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock forward by <paramref name="duration"/>.</summary>
    public void Advance(TimeSpan duration) => Interlocked.Add(ref _ticks, duration.Ticks);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => Now;
}
