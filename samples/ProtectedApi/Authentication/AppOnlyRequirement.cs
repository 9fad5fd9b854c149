using Microsoft.AspNetCore.Authorization;

namespace ProtectedApi.Authentication;

/// <summary>
/// Only app-only tokens (a daemon or managed identity calling with its own application roles) may call; a user's
/// delegated token, which carries scp and acts for the user, is refused even if it has a matching role.
/// </summary>
public sealed class AppOnlyRequirement : AuthorizationHandler<AppOnlyRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AppOnlyRequirement requirement)
    {
        var user = context.User;
        var isDelegated = user.HasClaim(c => c.Type is "scp" or "scope");
        // idtyp=app is Entra's explicit marker; without it (an optional claim in some tenants) an app-only token is
        // recognised by its subject being the calling app's own object id.
        var isAppOnly = !isDelegated && (user.FindFirst("idtyp")?.Value is { } idtyp
            ? idtyp == "app"
            : user.FindFirst("oid")?.Value is { } oid && oid == user.FindFirst("sub")?.Value);
        if (isAppOnly)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
