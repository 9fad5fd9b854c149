using FunctionApp.Diagnostics;
using FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Functions;

/// <summary>GET /api/token/claims?target=graph: the decoded header and claims of the app's token, with a verdict; never the token.</summary>
public sealed class GetTokenClaims(TokenTargets targets, TokenInspector inspector)
{
    [Function(nameof(GetTokenClaims))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "token/claims")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = new QueryReader(request.Query, "target");
        var name = query.Text("target", maxLength: 64);
        var target = name is null ? null : targets.Find(name);
        if (target is null)
        {
            query.Reject("target", $"'target' must be one of: {string.Join(", ", targets.All.Select(t => t.Name))}.");
            return query.Problem();
        }

        if (!query.IsValid)
        {
            return query.Problem();
        }

        var outcome = await inspector.InspectAsync(target, cancellationToken);
        return outcome.Failure?.ToResult() ?? Results.Ok(outcome.Value);
    }
}
