using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ProtectedApi.Authentication;

/// <summary>Answers a 403 with a problem detail that says which role or token kind was missing.</summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var failed = authorizeResult.AuthorizationFailure?.FailedRequirements ?? [];
        var detail = failed.OfType<AppOnlyRequirement>().Any()
            ? "This API accepts app-only tokens; the token is a delegated (user) token."
            : failed.OfType<ClaimsAuthorizationRequirement>().FirstOrDefault(r => r.ClaimType == "roles") is { AllowedValues: { } roles }
                ? $"The token has no application role {string.Join(" or ", roles)}: assign it to the calling identity. A token issued before the " +
                  "assignment keeps its old roles until it expires."
                : "The token does not satisfy this endpoint's policy.";
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail).ExecuteAsync(context);
    }
}
