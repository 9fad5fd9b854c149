using FunctionApp.CustomApi;
using FunctionApp.Diagnostics;
using FunctionApp.Graph;
using FunctionApp.Identity;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Hosting;

public static class FunctionAppServiceExtensions
{
    /// <summary>
    /// Everything the functions need, by concern. Program.cs and the tests call this one method, so the tests run
    /// the registrations the deployed app runs.
    /// </summary>
    public static IHostApplicationBuilder AddFunctionAppServices(this IHostApplicationBuilder builder) =>
        builder
            .AddManagedIdentityCredential()
            .AddGraph()
            .AddCustomApiClient()
            .AddTokenDiagnostics();
}
