using FunctionApp.Probes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Diagnostics;

public static class DiagnosticsServiceExtensions
{
    /// <summary>
    /// Registers what GET /api/token/claims and the probe timer use: the token inspector, and the probe runner that
    /// checks every target's token and makes one cheap call to it.
    /// </summary>
    public static IHostApplicationBuilder AddTokenDiagnostics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TokenInspector>();
        // Transient: it holds the custom API's typed HttpClient, whose handlers the factory rotates.
        builder.Services.AddTransient<ProbeRunner>();
        return builder;
    }
}
