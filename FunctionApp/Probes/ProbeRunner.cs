using System.Diagnostics;
using FunctionApp.CustomApi;
using FunctionApp.Diagnostics;
using FunctionApp.Graph;
using FunctionApp.Problems;

namespace FunctionApp.Probes;

/// <summary>The outcome of probing one target.</summary>
public sealed record ProbeResult(string Target, bool Healthy, string Audience, IReadOnlyList<string> Roles, long DurationMs);

/// <summary>
/// Probes every configured target once: gets and explains its token, makes one cheap call with it (Graph: one user id;
/// the custom API: its health route), and logs one structured line. A failing target never stops the others or
/// escapes to the worker.
/// </summary>
public sealed partial class ProbeRunner(
    TokenTargets targets, TokenInspector inspector, UserDirectory users, CustomApiClient customApi, ProblemMapper problems, ILogger<ProbeRunner> logger)
{
    public async Task<IReadOnlyList<ProbeResult>> RunAsync(bool pastDue, CancellationToken cancellationToken)
    {
        if (pastDue)
        {
            PastDue(logger);
        }

        var results = await Task.WhenAll(targets.All.Select(target => ProbeAsync(target, cancellationToken)));
        RunFinished(logger, results.Count(r => r.Healthy), results.Length);
        return results;
    }

    private async Task<ProbeResult> ProbeAsync(TokenTarget target, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        TokenReport? report = null;
        try
        {
            report = await inspector.InspectAsync(target, cancellationToken);
            await (target.IsGraph ? users.ProbeAsync(cancellationToken) : customApi.GetHealthAsync(cancellationToken));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var problem = problems.Map(e, target, cancellationToken);
            var result = Result(target, report, started, healthy: false);
            // Unmapped is this target's failure too: the other targets and the worker go on.
            Failed(logger, target.Name, problem?.Title ?? "Unexpected error", problem?.Detail ?? $"{e.GetType().Name}: {ProblemMapper.Summarize(e.Message)}",
                result.Audience, string.Join(", ", result.Roles), result.DurationMs);
            return result;
        }

        var healthy = Result(target, report, started, healthy: true);
        Succeeded(logger, target.Name, healthy.Audience, string.Join(", ", healthy.Roles), report.Verdict.ExpiresOn, healthy.DurationMs);
        return healthy;
    }

    private static ProbeResult Result(TokenTarget target, TokenReport? report, long started, bool healthy) => new(
        target.Name, healthy, report?.Claims.GetValueOrDefault("aud") as string ?? "-", report?.Claims.GetValueOrDefault("roles") as string[] ?? [],
        (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    // Event ids 4000-4099: one structured line per target and run; never a token.
    [LoggerMessage(4000, LogLevel.Information, "Probe {Target} succeeded: audience {Audience}, roles [{Roles}], token expires {ExpiresOn:O}, {DurationMs} ms")]
    private static partial void Succeeded(ILogger logger, string target, string audience, string roles, DateTimeOffset expiresOn, long durationMs);

    [LoggerMessage(4001, LogLevel.Error, "Probe {Target} failed: {Title}: {Detail} (audience {Audience}, roles [{Roles}], {DurationMs} ms)")]
    private static partial void Failed(ILogger logger, string target, string title, string detail, string audience, string roles, long durationMs);

    [LoggerMessage(4002, LogLevel.Warning, "The probe timer is past due: the previous run or the host was delayed")]
    private static partial void PastDue(ILogger logger);

    [LoggerMessage(4003, LogLevel.Information, "Probe run finished: {Healthy} of {Total} target(s) healthy")]
    private static partial void RunFinished(ILogger logger, int healthy, int total);
}
