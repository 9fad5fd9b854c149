using FunctionApp.Identity;
using FunctionApp.Problems;
using Microsoft.Extensions.Options;
using Microsoft.Graph;

namespace FunctionApp.Graph;

/// <summary>
/// Reads users from Microsoft Graph within <c>Graph__TimeoutSeconds</c> per call, every page included. A failure is
/// raised as a <see cref="DependencyException"/> (<see cref="GraphFailures"/> says which).
/// </summary>
public sealed class UserDirectory(GraphServiceClient graph, IOptions<GraphOptions> options, TokenTargets targets)
{
    public Task<UserPage> ListAsync(UserQuery query, CancellationToken cancellationToken) =>
        CallAsync(token => ListPagesAsync(query, token), cancellationToken);

    /// <summary>The timer's cheap read: one user id, enough to prove the token and the permission work.</summary>
    public Task ProbeAsync(CancellationToken cancellationToken) =>
        CallAsync(
            token => graph.Users.GetAsync(
                request =>
                {
                    request.QueryParameters.Top = 1;
                    request.QueryParameters.Select = ["id"];
                },
                token),
            cancellationToken);

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var budget = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(budget);
        try
        {
            return await call(timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Failure(e, timeout) is { } failure)
        {
            throw failure;
        }
    }

    private DependencyException? Failure(Exception exception, CancellationTokenSource timeout)
    {
        if (exception is OperationCanceledException && timeout.IsCancellationRequested)
        {
            return GraphFailures.TimedOut(options.Value.TimeoutSeconds, exception);
        }

        return GraphFailures.MapGraphFailure(exception, targets.Graph);
    }

    private async Task<UserPage> ListPagesAsync(UserQuery query, CancellationToken cancellationToken)
    {
        var page = await graph.Users.GetAsync(
            request =>
            {
                request.QueryParameters.Top = query.Top;
                request.QueryParameters.Select = [.. query.Select];
                request.QueryParameters.Filter = query.Filter();
            },
            cancellationToken);
        var users = new List<IReadOnlyDictionary<string, object?>>();
        var pages = 1;
        while (true)
        {
            // Graph returns only the selected properties; the SDK keeps them under their JSON names.
            foreach (var user in page?.Value ?? [])
            {
                users.Add(query.Select.ToDictionary(field => field, user.BackingStore.Get<object>));
            }

            var next = page?.OdataNextLink;
            if (pages == query.Pages || next is null)
            {
                return new UserPage(users, pages, next is not null);
            }

            page = await graph.Users.WithUrl(next).GetAsync(cancellationToken: cancellationToken);
            pages++;
        }
    }
}
