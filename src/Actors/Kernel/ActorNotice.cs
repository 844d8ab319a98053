namespace PdCluster.Actors.Kernel;

/// <summary>
/// Something an operator should know that is not an error, published on the event stream: a port that came back, or a
/// leftover of an earlier run that was cleaned up.
/// </summary>
/// <param name="Message">The line to show, naming what it is about.</param>
public sealed record ActorNotice(string Message);
