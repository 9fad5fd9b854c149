using System.Globalization;
using IdentityEmulator.Tenant;

namespace IdentityEmulator.Endpoints;

/// <summary>
/// What the Azure CLI stand-in (tools/IdentityEmulator/azure-cli/az) asks for `az account get-access-token`: a
/// delegated token for the signed-in tenant user, printed as the CLI prints it, or the CLI's error text. A developer's
/// sign-in gives a user token (scp, no roles), never the app's application permissions.
/// </summary>
internal static class AzureCliEndpoint
{
    /// <summary>The Azure CLI's application id, the same in every tenant.</summary>
    public static readonly Guid AppId = new("04b07795-8ddb-461a-bbee-02f9e1bf7b46");

    // The delegated Graph permissions the Azure CLI holds by Microsoft's pre-consent, as its Graph tokens carry them.
    private const string GraphScopes =
        "Application.ReadWrite.All AppRoleAssignment.ReadWrite.All AuditLog.Read.All "
        + "DelegatedPermissionGrant.ReadWrite.All Directory.AccessAsUser.All email Group.ReadWrite.All openid profile "
        + "User.Read.All User.ReadWrite.All";

    // Entra's user tokens for a public client last between 60 and 90 minutes.
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public static IResult GetAccessToken(EmulatorState state, string? resource, string? tenant, string? user)
    {
        var directory = state.Tenant;
        if (string.IsNullOrWhiteSpace(user))
        {
            return CliError("Please run 'az login' to setup account.");
        }

        var isOtherTenant = !string.IsNullOrEmpty(tenant)
            && !string.Equals(tenant, directory.TenantId.ToString(), StringComparison.OrdinalIgnoreCase);
        if (isOtherTenant)
        {
            return CliError(
                $"AADSTS90002: Tenant '{tenant}' not found. "
                + "Check to make sure you have the correct tenant ID and are signing into the correct cloud.");
        }

        var signedIn = directory.Users.FirstOrDefault(u =>
            string.Equals(u.UserPrincipalName, user, StringComparison.OrdinalIgnoreCase));
        if (signedIn is null)
        {
            return CliError(
                $"AADSTS50034: The user account {user} does not exist in the {directory.TenantId} directory. "
                + "To sign into this application, the account must be added to the directory.");
        }

        if (string.IsNullOrWhiteSpace(resource) || directory.ResolveResource(resource) is not { } resolved)
        {
            return CliError(
                $"AADSTS500011: The resource principal named {resource} was not found in the tenant named "
                + $"{directory.TenantId}. This can happen if the application has not been installed by the "
                + "administrator of the tenant or consented to by any user in the tenant.");
        }

        if (GrantedScopes(directory, resolved) is not { } scopes)
        {
            return CliError(
                "AADSTS65001: The user or administrator has not consented to use the application "
                + $"with ID '{AppId}' named 'Microsoft Azure CLI'. "
                + "Send an interactive authorization request for this user and resource.\n"
                + "Interactive authentication is needed. Please run:\n"
                + $"az login --scope {resource.TrimEnd('/')}/.default");
        }

        var token = state.Issuer.IssueDelegated(signedIn, AppId, resolved, scopes, Lifetime);
        return Results.Json(new Dictionary<string, object>
        {
            ["accessToken"] = token.AccessToken,
            // The CLI prints expiresOn in the machine's local time, and expires_on as Unix seconds (since CLI 2.54).
            ["expiresOn"] = token.ExpiresOn.ToLocalTime()
                .ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            ["expires_on"] = token.ExpiresOn.ToUnixTimeSeconds(),
            ["subscription"] = "00000000-0000-0000-0000-000000000000",
            ["tenant"] = directory.TenantId.ToString(),
            ["tokenType"] = "Bearer",
        });
    }

    // Graph has the CLI's pre-consented permissions; any other API must pre-authorize the CLI for its scopes.
    private static string? GrantedScopes(TenantDirectory directory, ResolvedResource resolved)
    {
        var apiAppId = resolved.ServicePrincipal.AppId;
        if (apiAppId == MicrosoftGraph.AppId)
        {
            return GraphScopes;
        }

        var api = directory.Applications.FirstOrDefault(a => a.AppId == apiAppId);
        if (api?.PreAuthorizedScopes.GetValueOrDefault(AppId) is { Count: > 0 } granted)
        {
            return string.Join(' ', granted);
        }

        return null;
    }

    // The stand-in prints this to stderr and exits 1, as the CLI does.
    private static IResult CliError(string message) =>
        Results.Text($"ERROR: {message}\n", statusCode: StatusCodes.Status400BadRequest);
}
