using FunctionApp.Diagnostics;
using FunctionApp.Probes;
using Microsoft.Extensions.Options;

namespace FunctionApp.CustomApi;

/// <summary>The timer's custom-API check: its health route.</summary>
internal sealed class CustomApiProbe(CustomApiClient client, IOptions<CustomApiOptions> options) : ITargetProbe
{
    public string TargetName => options.Value.Name;

    public Task<Diagnosis?> CallAsync(CancellationToken cancellationToken) => client.ProbeAsync(cancellationToken);
}
