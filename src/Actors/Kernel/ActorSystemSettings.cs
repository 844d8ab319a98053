namespace PdCluster.Actors.Kernel;

/// <summary>Settings of an actor system.</summary>
/// <param name="Throughput">User messages a mailbox handles per turn on the default dispatcher.</param>
/// <param name="GuardianStrategy">How top-level actors are supervised.</param>
/// <param name="ShutdownPhaseTimeout">Default timeout of each coordinated-shutdown phase.</param>
/// <param name="Time">The clock supervision windows are measured by (default: the system clock).</param>
public sealed record ActorSystemSettings(int Throughput = 30, SupervisorStrategy? GuardianStrategy = null, TimeSpan ShutdownPhaseTimeout = default, TimeProvider? Time = null);
