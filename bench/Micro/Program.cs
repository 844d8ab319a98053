using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(PdCluster.Micro.RingBenchmarks).Assembly).Run(args);
