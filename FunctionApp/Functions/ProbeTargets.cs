using FunctionApp.Probes;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Functions;

/// <summary>
/// On the schedule in the ProbeSchedule app setting, checks every target's token and makes one cheap call to it.
/// Never RunOnStartup: in Azure that would fire on every scale-out and restart.
/// </summary>
public sealed class ProbeTargets(ProbeRunner runner)
{
    [Function(nameof(ProbeTargets))]
    public Task Run([TimerTrigger("%ProbeSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunAsync(pastDue: timer.IsPastDue, cancellationToken);
}
