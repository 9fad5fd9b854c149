using FunctionApp.Probes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Diagnostics;

public static class DiagnosticsServiceExtensions
{
    /// <summary>Registers the token targets, the token inspector behind GET /api/token/claims, and the timer's probe runner.</summary>
    public static IHostApplicationBuilder AddTokenDiagnostics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TokenTargets>();
        builder.Services.AddSingleton<TokenInspector>();
        builder.Services.AddSingleton<ProbeRunner>();
        return builder;
    }
}
