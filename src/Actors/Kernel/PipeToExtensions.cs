namespace PdCluster.Actors.Kernel;

/// <summary>Akka's PipeTo: delivers a task's outcome to an actor as a message, so actors never block on I/O.</summary>
public static class PipeToExtensions
{
    /// <summary>When <paramref name="task"/> ends, tells <paramref name="recipient"/> <paramref name="success"/>(result) or <paramref name="failure"/>(exception).</summary>
    public static void PipeTo<T>(this Task<T> task, IActorRef recipient, Func<T, object> success, Func<Exception, object> failure) =>
        task.ContinueWith(
            t => recipient.Tell(t.IsCompletedSuccessfully ? success(t.Result) : failure(t.Exception?.GetBaseException() ?? new TaskCanceledException(t))),
            TaskScheduler.Default);

    /// <summary>When <paramref name="task"/> ends, tells <paramref name="recipient"/> <paramref name="success"/> or <paramref name="failure"/>(exception).</summary>
    public static void PipeTo(this Task task, IActorRef recipient, object success, Func<Exception, object> failure) =>
        task.ContinueWith(
            t => recipient.Tell(t.IsCompletedSuccessfully ? success : failure(t.Exception?.GetBaseException() ?? new TaskCanceledException(t))),
            TaskScheduler.Default);
}
