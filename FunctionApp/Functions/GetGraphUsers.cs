using FunctionApp.Graph;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Functions;

/// <summary>GET /api/graph/users?top=&amp;select=&amp;filter=&amp;pages=: users from Microsoft Graph with the app's identity.</summary>
public sealed class GetGraphUsers(UserDirectory users)
{
    [Function(nameof(GetGraphUsers))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "graph/users")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (query, problem) = UserQuery.Parse(request.Query);
        if (query is null)
        {
            return problem!;
        }

        var outcome = await users.ListAsync(query, cancellationToken);
        return outcome.Failure?.ToResult() ?? Results.Ok(outcome.Value);
    }
}
