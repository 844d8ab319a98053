namespace PdCluster.Tests.Node;

/// <summary>Runs an in-process command with stdout and stderr captured; tests that use it share one collection, as the console is global.</summary>
internal static class ConsoleCapture
{
    public const string Collection = "console";

    public static (int Exit, string Output, string Error) Run(Func<int> command)
    {
        var (output, error) = (Console.Out, Console.Error);
        var (capturedOutput, capturedError) = (new StringWriter(), new StringWriter());
        Console.SetOut(capturedOutput);
        Console.SetError(capturedError);
        try
        {
            return (command(), capturedOutput.ToString(), capturedError.ToString());
        }
        finally
        {
            Console.SetOut(output);
            Console.SetError(error);
        }
    }
}
