namespace PdCluster.Node.Commands;

/// <summary>What <c>pd</c> exits with; the README's "Exit codes" section says the same.</summary>
internal static class ExitCode
{
    /// <summary>Done as asked.</summary>
    public const int Ok = 0;

    /// <summary>A runtime failure: buffers missing at exit, a node that does not answer, an error inside pd.</summary>
    public const int Failure = 1;

    /// <summary>Bad input or usage: a file, key, option or argument is wrong; the message names it.</summary>
    public const int BadInput = 2;
}
