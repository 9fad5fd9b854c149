using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project benchmarks -- --filter '*'            every benchmark, full statistics
// dotnet run -c Release --project benchmarks -- --smoke --filter '*'    one quick pass of each, in-process (what CI runs)
// dotnet run -c Release --project benchmarks -- --load [--invocations 10000] [--concurrency 64]
// dotnet run -c Release --project benchmarks -- --soak [--minutes 10]
// dotnet run -c Release --project benchmarks -- --cold-start [--launches 15]
// dotnet run -c Release --project benchmarks -- --local-credentials [--runs 3]
if (args.Contains("--load") || args.Contains("--soak") || args.Contains("--cold-start") || args.Contains("--local-credentials"))
{
    return await Benchmarks.Load.LoadCommand.RunAsync(args, Console.Out, Console.Error);
}

var smoke = args.Contains("--smoke");
var config = smoke
    ? ManualConfig.Create(DefaultConfig.Instance).AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)).WithOptions(ConfigOptions.DisableOptimizationsValidator)
    // Loopback HTTP and RSA timings swing by 10-20% between processes on a shared 2-core machine: three launches of
    // twenty iterations each, so that one slow process cannot decide a ratio.
    : ManualConfig.Create(DefaultConfig.Instance).AddJob(Job.Default.WithLaunchCount(3).WithWarmupCount(5).WithIterationCount(20));
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Benchmarks.TokenValidationBenchmarks).Assembly).Run([.. args.Where(a => a != "--smoke")], config);

// A benchmark that throws is reported, not fatal, in BenchmarkDotNet; make it fail the command.
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
