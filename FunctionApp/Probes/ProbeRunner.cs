using System.Diagnostics;
using FunctionApp.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace FunctionApp.Probes;

/// <summary>A cheap call that proves a target's token and permissions work; null means healthy.</summary>
public interface ITargetProbe
{
    string TargetName { get; }

    Task<Diagnosis?> CallAsync(CancellationToken cancellationToken);
}

/// <summary>The outcome of probing one target.</summary>
public sealed record ProbeResult(string Target, bool Healthy, int Status, string? Audience, IReadOnlyList<string> Roles, long DurationMs);

/// <summary>
/// Probes every configured target once: acquires its token, explains it, makes one cheap call, and logs one
/// structured line. A failing target never stops the others or escapes to the worker.
/// </summary>
public sealed class ProbeRunner(IEnumerable<ITargetProbe> probes, TokenTargets targets, TokenInspector inspector, ILogger<ProbeRunner> logger)
{
    public async Task<IReadOnlyList<ProbeResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(probes.Select(probe => ProbeAsync(probe, cancellationToken)));
        ProbeLog.RunFinished(logger, results.Count(r => r.Healthy), results.Length);
        return results;
    }

    private async Task<ProbeResult> ProbeAsync(ITargetProbe probe, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var target = targets.Find(probe.TargetName);
        TokenReport? report = null;
        Diagnosis? failure;
        try
        {
            if (target is null)
            {
                failure = new Diagnosis(StatusCodes.Status500InternalServerError, "Unknown target", $"No token target named '{probe.TargetName}' is configured.");
            }
            else
            {
                var inspected = await inspector.InspectAsync(target, cancellationToken);
                report = inspected.Value;
                failure = inspected.Failure ?? await probe.CallAsync(cancellationToken);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Anything unexpected is reported as this target's failure; the other targets and the worker go on.
            failure = new Diagnosis(StatusCodes.Status500InternalServerError, "Unexpected error", $"{e.GetType().Name}: {CredentialFailures.Summarize(e.Message)}");
        }

        var duration = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var audience = report?.Claims.GetValueOrDefault("aud") as string ?? "-";
        var roles = report?.Claims.GetValueOrDefault("roles") as string[] ?? [];
        if (failure is null)
        {
            ProbeLog.Succeeded(logger, probe.TargetName, audience, string.Join(", ", roles), report!.Verdict.ExpiresOn, duration);
            return new ProbeResult(probe.TargetName, true, StatusCodes.Status200OK, audience, roles, duration);
        }

        ProbeLog.Failed(logger, probe.TargetName, failure.Status, failure.Title, failure.Detail, audience, string.Join(", ", roles), duration);
        return new ProbeResult(probe.TargetName, false, failure.Status, audience, roles, duration);
    }
}
