using System.Diagnostics;
using FunctionApp.CustomApi;
using FunctionApp.Diagnostics;
using FunctionApp.Graph;
using FunctionApp.Identity;
using FunctionApp.Problems;

namespace FunctionApp.Probes;

/// <summary>
/// Probes every configured target once: gets and explains its token, makes one cheap call with it (Graph: one user id;
/// the custom API: its health route), and logs one structured line. A failing target never stops the others or
/// escapes to the worker.
/// </summary>
public sealed partial class ProbeRunner(
    TokenTargets targets,
    TokenInspector inspector,
    UserDirectory users,
    CustomApiClient customApi,
    ProblemMapper problems,
    ILogger<ProbeRunner> logger)
{
    public async Task RunAsync(bool pastDue, CancellationToken cancellationToken)
    {
        if (pastDue)
        {
            PastDue(logger);
        }

        var probes = new List<Task<bool>> { ProbeAsync(targets.Graph, users.ProbeAsync, cancellationToken) };
        if (targets.CustomApi is { } api)
        {
            probes.Add(ProbeAsync(api, customApi.GetHealthAsync, cancellationToken));
        }

        var healthy = await Task.WhenAll(probes);
        RunFinished(logger, healthy.Count(ok => ok), healthy.Length);
    }

    private async Task<bool> ProbeAsync(
        TokenTarget target,
        Func<CancellationToken, Task> call,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        TokenReport? report = null;
        try
        {
            report = await inspector.InspectAsync(target, cancellationToken);
            await call(cancellationToken);
        }
        catch (DependencyException failure) when (!cancellationToken.IsCancellationRequested)
        {
            problems.Log(failure);
            LogFailed(target, failure.Title, failure.Message, report, started);
            return false;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Unmapped is this target's failure too: the other targets and the worker go on.
            var detail = $"{e.GetType().Name}: {ProblemMapper.Summarize(e.Message)}";
            LogFailed(target, "Unexpected error", detail, report, started);
            return false;
        }

        var roles = string.Join(", ", report.Claims.Roles ?? []);
        Succeeded(logger, target.Name, AudienceOf(report), roles, report.Verdict.ExpiresOn, ElapsedMs(started));
        return true;
    }

    private void LogFailed(TokenTarget target, string title, string detail, TokenReport? report, long started)
    {
        var roles = string.Join(", ", report?.Claims.Roles ?? []);
        Failed(logger, target.Name, title, detail, AudienceOf(report), roles, ElapsedMs(started));
    }

    // "-" when no token was got, so the line still reads as one.
    private static string AudienceOf(TokenReport? report) => report?.Claims.Audience ?? "-";

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    // Event ids 4000-4099: one structured line per target and run; never a token.
    [LoggerMessage(
        4000,
        LogLevel.Information,
        "Probe {Target} succeeded: audience {Audience}, roles [{Roles}], token expires {ExpiresOn:O}, {DurationMs} ms")]
    private static partial void Succeeded(
        ILogger logger, string target, string audience, string roles, DateTimeOffset expiresOn, long durationMs);

    [LoggerMessage(
        4001,
        LogLevel.Error,
        "Probe {Target} failed: {Title}: {Detail} (audience {Audience}, roles [{Roles}], {DurationMs} ms)")]
    private static partial void Failed(
        ILogger logger, string target, string title, string detail, string audience, string roles, long durationMs);

    [LoggerMessage(4002, LogLevel.Warning, "The probe timer is past due: the previous run or the host was delayed")]
    private static partial void PastDue(ILogger logger);

    [LoggerMessage(4003, LogLevel.Information, "Probe run finished: {Healthy} of {Total} target(s) healthy")]
    private static partial void RunFinished(ILogger logger, int healthy, int total);
}
