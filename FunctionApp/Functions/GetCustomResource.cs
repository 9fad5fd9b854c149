using FunctionApp.CustomApi;
using FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Functions;

/// <summary>GET /api/custom/{resource}: an allow-listed read from the custom API with the app's identity.</summary>
public sealed class GetCustomResource(CustomApiClient api)
{
    [Function(nameof(GetCustomResource))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "custom/{resource}")] HttpRequest request,
        string resource,
        CancellationToken cancellationToken)
    {
        if (new QueryReader(request.Query).ValidationProblem() is { } invalid)
        {
            return invalid;
        }

        return Results.Json(await api.GetAsync(resource, cancellationToken));
    }
}
