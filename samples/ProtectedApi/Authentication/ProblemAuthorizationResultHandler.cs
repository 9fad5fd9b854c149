using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ProtectedApi.Authentication;

/// <summary>Answers a 403 with a problem detail that says which role or token kind was missing.</summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(
        RequestDelegate next,
        HttpContext context,
        AuthorizationPolicy policy,
        PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var detail = ForbiddenDetail(authorizeResult.AuthorizationFailure?.FailedRequirements ?? []);
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail)
            .ExecuteAsync(context);
    }

    // The token kind is checked first: a delegated token is refused even when it carries the role.
    private static string ForbiddenDetail(IEnumerable<IAuthorizationRequirement> failed)
    {
        if (failed.OfType<AppOnlyRequirement>().Any())
        {
            return "This API accepts app-only tokens; the token is a delegated (user) token.";
        }

        var roleRequirement = failed
            .OfType<ClaimsAuthorizationRequirement>()
            .FirstOrDefault(r => r.ClaimType == "roles");
        if (roleRequirement is { AllowedValues: { } roles })
        {
            var roleNames = string.Join(" or ", roles);
            return $"The token has no application role {roleNames}: assign it to the calling identity. "
                + "A token issued before the assignment keeps its old roles until it expires.";
        }

        return "The token does not satisfy this endpoint's policy.";
    }
}
