using FunctionApp.Diagnostics;
using FunctionApp.Probes;

namespace FunctionApp.Graph;

/// <summary>The timer's Graph check: read one user id.</summary>
internal sealed class GraphProbe(UserDirectory users) : ITargetProbe
{
    public string TargetName => TokenTargets.GraphName;

    public async Task<Diagnosis?> CallAsync(CancellationToken cancellationToken) =>
        (await users.ProbeAsync(cancellationToken)).Failure;
}
