namespace PdCluster.Bench.Veth;

/// <summary>The veth benchmark's subcommands that <c>bench/run.sh veth</c> calls: receiver, probe, removal timing, report.</summary>
internal static class VethCommands
{
    public static int Run(string[] args)
    {
        var options = new VethOptions(args);
        try
        {
            return args[0] switch
            {
                "veth-rx" => VethReceiverCommand.Run(options),
                "veth-probe" => VethProbe.Run(options),
                "veth-report" => VethReport.Run(options),
                _ => throw new VethUsageException($"unknown subcommand {args[0]}; known: veth-rx, veth-probe, veth-report"),
            };
        }
        catch (VethUsageException e)
        {
            Console.Error.WriteLine($"pd-bench {args[0]}: {e.Message}");
            return 2;
        }
    }
}
