using System.Diagnostics;
using System.Net;
using Benchmarks.ColdStart;
using FunctionsHostHarness;
using TestSupport;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace Benchmarks.LocalCredentials;

/// <summary>
/// dotnet run -c Release --project benchmarks -- --local-credentials [--runs 3]
/// FunctionApp's worker (published IL-only) through the host harness on each way a token can come from the emulator:
/// the managed identity (as in Azure), and DefaultAzureCredential's local paths (service principal with a secret, with
/// and without Identity__DisableInstanceDiscovery; with a certificate; a workload identity's token file; the Azure CLI
/// stand-in). Times the first GET /api/token/claims?target=graph (its token acquisition and the first call's warm-up
/// included) and the second (a token from the credential's cache, where it has one); reports medians over the runs.
/// The managed-identity row's difference is the warm-up alone, near enough: the others' excess over it is the path.
/// </summary>
internal static class LocalCredentialsRun
{
    private static readonly (string Name, string? Path, bool DisableInstanceDiscovery)[] Paths =
    [
        ("managed identity (App Service protocol)", null, true),
        ("service principal, secret", LocalCredentialSettings.Secret, true),
        ("service principal, secret, instance discovery on", LocalCredentialSettings.Secret, false),
        ("service principal, certificate", LocalCredentialSettings.Certificate, true),
        ("workload identity", LocalCredentialSettings.WorkloadIdentity, true),
        ("Azure CLI stand-in", LocalCredentialSettings.AzureCli, true),
    ];

    public static async Task<int> RunAsync(int runs, TextWriter output, CancellationToken interrupted)
    {
        var functionApp = new ColdStartRun.App("FunctionApp, IL only", Path.Combine(Repository.Root, "FunctionApp", "FunctionApp.csproj"), ["-p:PublishReadyToRun=false", "-p:RuntimeIdentifier="], "");
        var directory = await ColdStartRun.PublishAsync(functionApp, Path.Combine(Repository.Root, "BenchmarkDotNet.Artifacts", "local-credentials"), output, interrupted);
        output.WriteLine($"Local credential paths: {runs} run(s) of each, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        var results = Paths.ToDictionary(p => p.Name, _ => new List<(double First, double Second)>());
        for (var run = 0; run < runs; run++)
        {
            foreach (var path in Paths)
            {
                results[path.Name].Add(await MeasureAsync(directory, path.Path, path.DisableInstanceDiscovery, interrupted));
            }
        }

        output.WriteLine();
        output.WriteLine("| path | first claims call, ms | second call, ms | first minus second, ms |");
        output.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var (name, values) in results)
        {
            var (first, second) = (ColdStartRun.Median([.. values.Select(v => v.First)]), ColdStartRun.Median([.. values.Select(v => v.Second)]));
            var acquisition = ColdStartRun.Median([.. values.Select(v => v.First - v.Second)]);
            output.WriteLine(FormattableString.Invariant($"| {name} | {first:0} | {second:0} | {acquisition:0} |"));
        }

        return 0;
    }

    private static async Task<(double First, double Second)> MeasureAsync(string directory, string? path, bool disableInstanceDiscovery, CancellationToken cancellationToken)
    {
        using var certificate = TestCertificates.Create();
        var tenant = new TestTenant { ClientCertificate = certificate }.AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id);
        tenant.Assign(tenant.ClientServicePrincipalId, tenant.GraphServicePrincipalId, MicrosoftGraph.UserReadAll.Id);
        await using var emulator = await tenant.StartAsync();
        var settings = WorkerSettings.For(tenant, emulator);
        if (path is not null)
        {
            LocalCredentialSettings.Apply(settings, emulator, tenant, path, disableInstanceDiscovery);
        }

        await using var host = await FunctionsHost.StartAsync(directory, settings);
        return (await TimeAsync(host, cancellationToken), await TimeAsync(host, cancellationToken));
    }

    private static async Task<double> TimeAsync(FunctionsHost host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await host.GetAsync("api/token/claims?target=graph", cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET /api/token/claims answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return elapsed;
    }
}
