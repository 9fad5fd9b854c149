using Azure.Core;
using BenchmarkDotNet.Attributes;
using FunctionApp.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Benchmarks;

/// <summary>
/// The warm token path the Graph SDK and the custom-API handler take on every request: the app's cache in front of a
/// credential, against the floor of handing back an AccessToken that already exists.
/// </summary>
[MemoryDiagnoser]
public class TokenCacheBenchmarks : IDisposable
{
    private static readonly TokenRequestContext Context = new(["https://graph.microsoft.com/.default"]);
    private PrebuiltCredential _prebuilt = null!;
    private CachingTokenCredential _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _prebuilt = new PrebuiltCredential(PrebuiltCredential.DayLongToken());
        _cache = new CachingTokenCredential(_prebuilt, TimeProvider.System, NullLogger<CachingTokenCredential>.Instance, TimeSpan.FromMinutes(5));
        _cache.GetTokenAsync(Context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _cache?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "pre-built AccessToken")]
    public ValueTask<AccessToken> Prebuilt() => _prebuilt.GetTokenAsync(Context, CancellationToken.None);

    [Benchmark(Description = "CachingTokenCredential, warm")]
    public ValueTask<AccessToken> Cached() => _cache.GetTokenAsync(Context, CancellationToken.None);
}
