using Microsoft.Extensions.Options;
using Microsoft.Graph;

namespace FunctionApp.Graph;

/// <summary>What GET /api/graph/users may ask of Graph.</summary>
public sealed record UserQuery(int Top, IReadOnlyList<string> Select, string? DisplayNamePrefix, int Pages)
{
    /// <summary>The user properties a caller may select: directory basics, no contact or security details.</summary>
    public static readonly IReadOnlyList<string> SelectableFields =
        ["id", "displayName", "userPrincipalName", "mail", "givenName", "surname", "jobTitle", "department", "officeLocation"];

    public static readonly IReadOnlyList<string> DefaultSelect = ["id", "displayName", "userPrincipalName", "mail"];
}

/// <summary>A page (or several) of users, with only the selected properties.</summary>
public sealed record UserPage(IReadOnlyList<IReadOnlyDictionary<string, object?>> Users, int Pages, bool NextPageAvailable);

/// <summary>
/// Reads users from Microsoft Graph within <c>Graph__TimeoutSeconds</c> per call, every page included; failures are the
/// SDK's exceptions, or a <see cref="TimeoutException"/>, for the caller to map.
/// </summary>
public sealed class UserDirectory(GraphServiceClient graph, IOptions<GraphOptions> options)
{
    public Task<UserPage> ListAsync(UserQuery query, CancellationToken cancellationToken) =>
        WithinTimeoutAsync(token => ListPagesAsync(query, token), cancellationToken);

    /// <summary>The timer's cheap read: one user id, enough to prove the token and the permission work.</summary>
    public Task ProbeAsync(CancellationToken cancellationToken) =>
        WithinTimeoutAsync(token => graph.Users.GetAsync(request =>
        {
            request.QueryParameters.Top = 1;
            request.QueryParameters.Select = ["id"];
        }, token), cancellationToken);

    private async Task<T> WithinTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        try
        {
            return await call(timeout.Token);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Microsoft Graph did not answer within {options.Value.TimeoutSeconds} s.", e);
        }
    }

    private async Task<UserPage> ListPagesAsync(UserQuery query, CancellationToken cancellationToken)
    {
        var page = await graph.Users.GetAsync(
            request =>
            {
                request.QueryParameters.Top = query.Top;
                request.QueryParameters.Select = [.. query.Select];
                // An OData string literal escapes a quote by doubling it.
                request.QueryParameters.Filter = query.DisplayNamePrefix is { } prefix
                    ? $"startswith(displayName,'{prefix.Replace("'", "''", StringComparison.Ordinal)}')"
                    : null;
            },
            cancellationToken);
        var users = new List<IReadOnlyDictionary<string, object?>>();
        var pages = 1;
        while (true)
        {
            // Graph returns only the selected properties; the SDK keeps them under their JSON names.
            users.AddRange(page?.Value?.Select(user => query.Select.ToDictionary(field => field, user.BackingStore.Get<object>)) ?? []);
            if (pages == query.Pages || page?.OdataNextLink is not { } next)
            {
                return new UserPage(users, pages, page?.OdataNextLink is not null);
            }

            page = await graph.Users.WithUrl(next).GetAsync(cancellationToken: cancellationToken);
            pages++;
        }
    }
}
