using FunctionApp.CustomApi;
using FunctionApp.Diagnostics;
using FunctionApp.Graph;
using FunctionApp.Identity;
using FunctionApp.Problems;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Hosting;

public static class FunctionAppServiceExtensions
{
    /// <summary>
    /// Everything the functions need, in the order of the lesson. Program.cs and the tests call this one method, so
    /// the tests run the registrations the deployed app runs.
    /// </summary>
    public static IHostApplicationBuilder AddFunctionAppServices(this IHostApplicationBuilder builder)
    {
        // 1. The app's one TokenCredential: its managed identity in Azure, DefaultAzureCredential locally
        //    (Identity/IdentityServiceExtensions.cs).
        builder.AddManagedIdentityCredential();

        // 2. Microsoft Graph on that credential: a GraphServiceClient, and the UserDirectory the functions read
        //    users through (Graph/GraphServiceExtensions.cs).
        builder.AddGraph();

        // 3. The custom API on that credential: a typed HttpClient with the standard resilience handler, and a
        //    client that puts the app's token on each call (CustomApi/CustomApiClient.cs).
        builder.AddCustomApiClient();

        // 4. What the app's tokens say (GET /api/token/claims) and the probe timer.
        builder.AddTokenDiagnostics();

        // 5. Where a failed call becomes a ProblemDetails answer and a log line (Http/ProblemDetailsMiddleware.cs).
        builder.Services.AddSingleton<ProblemMapper>();
        return builder;
    }
}
