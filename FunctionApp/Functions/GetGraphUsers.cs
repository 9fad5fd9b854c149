using FunctionApp.Graph;
using FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Functions;

/// <summary>
/// GET /api/graph/users?top=&amp;select=&amp;displayNamePrefix=&amp;pages=: users from Microsoft Graph with the app's
/// identity.
/// </summary>
public sealed class GetGraphUsers(UserDirectory users)
{
    [Function(nameof(GetGraphUsers))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "graph/users")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = new QueryReader(request.Query);
        var userQuery = new UserQuery(
            query.Int("top", defaultValue: 25, min: 1, max: 999),
            query.List("select", UserQuery.SelectableFields) ?? UserQuery.DefaultSelect,
            query.Text("displayNamePrefix", maxLength: 64),
            query.Int("pages", defaultValue: 1, min: 1, max: 10));
        if (query.ValidationProblem() is { } invalid)
        {
            return invalid;
        }

        return Results.Ok(await users.ListAsync(userQuery, cancellationToken));
    }
}
