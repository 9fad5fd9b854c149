using FunctionApp.CustomApi;
using FunctionApp.Diagnostics;
using FunctionApp.Graph;
using FunctionApp.Identity;
using FunctionApp.Probes;
using FunctionApp.Problems;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Hosting;

public static class FunctionAppServiceExtensions
{
    /// <summary>
    /// Everything the functions need, by concern. Program.cs and the tests call this one method, so the tests run
    /// the registrations the deployed app runs.
    /// </summary>
    public static IHostApplicationBuilder AddFunctionAppServices(this IHostApplicationBuilder builder)
    {
        builder.AddManagedIdentityCredential().AddGraph().AddCustomApiClient();
        builder.Services.AddSingleton<TokenTargets>().AddSingleton<TokenInspector>().AddSingleton<ProblemMapper>();
        // Transient: it holds the custom API's typed HttpClient, whose handlers the factory rotates.
        builder.Services.AddTransient<ProbeRunner>();
        return builder;
    }
}
