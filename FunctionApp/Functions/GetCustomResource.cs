using FunctionApp.CustomApi;
using FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionApp.Functions;

/// <summary>GET /api/custom/{resource}: forwards an allow-listed read to the custom API with the app's identity.</summary>
public sealed class GetCustomResource(IOptions<CustomApiOptions> options, IServiceProvider services)
{
    [Function(nameof(GetCustomResource))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "custom/{resource}")] HttpRequest request,
        string resource,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No custom API",
                detail: "No custom API is configured: set CustomApi__BaseUrl and CustomApi__Scope.");
        }

        var query = new QueryReader(request.Query);
        if (!query.IsValid)
        {
            return query.Problem();
        }

        // Only names on the allow-list reach the API: no paths, no traversal, no URLs.
        if (!settings.ResourceList.Contains(resource, StringComparer.Ordinal))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown resource",
                detail: $"'resource' must be one of: {string.Join(", ", settings.ResourceList)}.");
        }

        var outcome = await services.GetRequiredService<CustomApiClient>().GetAsync(resource, cancellationToken);
        return outcome.Failure?.ToResult() ?? Results.Json(outcome.Value);
    }
}
