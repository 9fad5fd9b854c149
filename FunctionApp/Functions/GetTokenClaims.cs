using FunctionApp.Diagnostics;
using FunctionApp.Http;
using FunctionApp.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Functions;

/// <summary>
/// GET /api/token/claims?target=graph: the decoded header and claims of the app's token, with a verdict; never the
/// token. The claims name the identity, its tenant and its resource group, so only the admin (master) key may ask.
/// </summary>
public sealed class GetTokenClaims(TokenTargets targets, TokenInspector inspector)
{
    [Function(nameof(GetTokenClaims))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "token/claims")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = new QueryReader(request.Query);
        var name = query.OneOf("target", [.. targets.All.Select(t => t.Name)]);
        if (query.ValidationProblem() is { } invalid)
        {
            return invalid;
        }

        var target = targets.All.Single(t => t.Name == name);
        return Results.Ok(await inspector.InspectAsync(target, cancellationToken));
    }
}
