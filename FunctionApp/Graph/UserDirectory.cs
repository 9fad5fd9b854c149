using FunctionApp.Diagnostics;
using FunctionApp.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;

namespace FunctionApp.Graph;

/// <summary>A page (or several) of users from Microsoft Graph, with only the selected properties.</summary>
public sealed record UserPage(IReadOnlyList<IReadOnlyDictionary<string, object?>> Users, int Pages, bool NextPageAvailable);

/// <summary>Reads users from Microsoft Graph for the HTTP trigger and the timer probe.</summary>
public sealed class UserDirectory(
    GraphServiceClient graph,
    IOptions<GraphOptions> options,
    IOptions<IdentityOptions> identity,
    TokenTargets targets,
    ILogger<UserDirectory> logger)
{
    private static readonly Dictionary<string, Func<User, object?>> Fields = new(StringComparer.Ordinal)
    {
        ["id"] = u => u.Id,
        ["displayName"] = u => u.DisplayName,
        ["userPrincipalName"] = u => u.UserPrincipalName,
        ["mail"] = u => u.Mail,
        ["givenName"] = u => u.GivenName,
        ["surname"] = u => u.Surname,
        ["jobTitle"] = u => u.JobTitle,
        ["department"] = u => u.Department,
        ["officeLocation"] = u => u.OfficeLocation,
    };

    public Task<Outcome<UserPage>> ListAsync(UserQuery query, CancellationToken cancellationToken) =>
        CallAsync(async token =>
        {
            var page = await graph.Users.GetAsync(
                request =>
                {
                    request.QueryParameters.Top = query.Top;
                    request.QueryParameters.Select = [.. query.Select];
                    request.QueryParameters.Filter = query.ODataFilter;
                },
                token);
            var users = new List<IReadOnlyDictionary<string, object?>>();
            var pages = 1;
            Collect(page, query.Select, users);
            while (pages < query.Pages && page?.OdataNextLink is { } next)
            {
                page = await graph.Users.WithUrl(next).GetAsync(cancellationToken: token);
                pages++;
                Collect(page, query.Select, users);
            }

            GraphLog.UsersListed(logger, users.Count, pages);
            return new UserPage(users, pages, page?.OdataNextLink is not null);
        }, cancellationToken);

    /// <summary>The timer's cheap read: one user id, enough to prove the token and the permission work.</summary>
    public Task<Outcome<int>> ProbeAsync(CancellationToken cancellationToken) =>
        CallAsync(async token =>
        {
            var page = await graph.Users.GetAsync(request =>
            {
                request.QueryParameters.Top = 1;
                request.QueryParameters.Select = ["id"];
            }, token);
            return page?.Value?.Count ?? 0;
        }, cancellationToken);

    private async Task<Outcome<T>> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            return await call(timeout.Token);
        }
        catch (Exception e) when (GraphFailures.Diagnose(e, targets.Graph, identity.Value.Describe(), settings.TimeoutSeconds,
            timedOut: timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested) is { } diagnosis)
        {
            GraphLog.CallFailed(logger, diagnosis.Status, diagnosis.Title);
            return diagnosis;
        }
    }

    private static void Collect(UserCollectionResponse? page, IReadOnlyList<string> select, List<IReadOnlyDictionary<string, object?>> users)
    {
        foreach (var user in page?.Value ?? [])
        {
            users.Add(select.ToDictionary(field => field, field => Fields[field](user)));
        }
    }
}
