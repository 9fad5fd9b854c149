using FunctionApp.CustomApi;
using FunctionApp.Diagnostics;
using FunctionApp.Http;
using FunctionApp.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace FunctionApp.Functions;

/// <summary>GET /api/custom/{resource}: forwards an allow-listed read to the custom API with the app's identity.</summary>
public sealed class GetCustomResource(CustomApiClient api, IOptions<CustomApiOptions> options, TokenTargets targets, ProblemMapper problems)
{
    [Function(nameof(GetCustomResource))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "custom/{resource}")] HttpRequest request,
        string resource,
        CancellationToken cancellationToken)
    {
        if (targets.CustomApi is not { } target)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No custom API",
                detail: "No custom API is configured: set CustomApi__BaseUrl and CustomApi__Scope.");
        }

        if (new QueryReader(request.Query).ValidationProblem() is { } invalid)
        {
            return invalid;
        }

        // Only names on the allow-list reach the API: no paths, no traversal, no URLs.
        var allowList = options.Value.AllowList;
        if (!allowList.Contains(resource, StringComparer.Ordinal))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown resource",
                detail: $"'resource' must be one of: {string.Join(", ", allowList)}.");
        }

        try
        {
            return Results.Json(await api.GetAsync(resource, cancellationToken));
        }
        catch (Exception e) when (problems.Map(e, target, cancellationToken) is { } problem)
        {
            return Results.Problem(problem);
        }
    }
}
