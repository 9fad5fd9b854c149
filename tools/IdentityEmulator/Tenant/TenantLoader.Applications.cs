using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IdentityEmulator.Tenant;

// The applications[] part of a tenant file: app registrations, their roles and their credentials.
internal static partial class TenantLoader
{
    private static ApplicationSet BuildApplications(List<ApplicationDocument> documents, Errors errors)
    {
        var byAppId = new Dictionary<Guid, DeclaredApplication>();
        var registrations = new List<AppRegistration>();
        foreach (var (app, at) in EntriesOf(documents, "applications"))
        {
            var appId = errors.Guid(app.AppId, $"{at}.appId");
            ValidateApplication(app, at, errors);
            var roles = BuildRoles(app.AppRoles, at, errors);
            if (!byAppId.TryAdd(appId, new DeclaredApplication(app, roles)) && appId != Guid.Empty)
            {
                errors.Add($"{at}.appId '{appId}' is used by another application");
            }

            registrations.Add(BuildRegistration(app, appId, at, errors));
        }

        return new ApplicationSet(byAppId, registrations);
    }

    private static void ValidateApplication(ApplicationDocument app, string at, Errors errors)
    {
        errors.Required(app.DisplayName, $"{at}.displayName");
        if (app.RequestedAccessTokenVersion is not (null or 1 or 2))
        {
            errors.Add($"{at}.requestedAccessTokenVersion must be 1, 2 or null");
        }

        foreach (var (uri, uriAt) in EntriesOf(app.IdentifierUris, $"{at}.identifierUris"))
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out _))
            {
                errors.Add($"{uriAt} '{uri}' is not an absolute URI");
            }
        }
    }

    private static List<AppRole> BuildRoles(List<AppRoleDocument> documents, string owner, Errors errors)
    {
        var roles = new List<AppRole>();
        foreach (var (role, at) in EntriesOf(documents, $"{owner}.appRoles"))
        {
            var value = errors.Required(role.Value, $"{at}.value");
            if (role.AllowedMemberTypes.Count == 0)
            {
                errors.Add($"{at}.allowedMemberTypes must list \"Application\" and/or \"User\"");
            }

            var id = errors.Guid(role.Id, $"{at}.id");
            var displayName = role.DisplayName ?? value;
            var description = role.Description ?? role.DisplayName ?? value;
            roles.Add(new AppRole(id, value, displayName, description, role.AllowedMemberTypes, role.IsEnabled));
        }

        return roles;
    }

    // What Entra's token endpoint checks a client against, and the scopes its pre-authorized clients may get.
    private static AppRegistration BuildRegistration(ApplicationDocument app, Guid appId, string at, Errors errors)
    {
        var secrets = ReadClientSecrets(app.PasswordCredentials, at, errors);
        var certificates = ReadClientCertificates(app.KeyCredentials, at, errors);
        var federated = ReadFederatedCredentials(app.FederatedIdentityCredentials, at, errors);
        var scopes = ReadPermissionScopes(app.Oauth2PermissionScopes, at, errors);
        var preAuthorized = ReadPreAuthorizedScopes(app.PreAuthorizedApplications, scopes, at, errors);
        return new AppRegistration(appId, app.DisplayName ?? "", secrets, certificates, federated, preAuthorized);
    }

    private static List<ClientSecret> ReadClientSecrets(
        List<PasswordCredentialDocument> documents, string at, Errors errors)
    {
        var secrets = new List<ClientSecret>();
        foreach (var (secret, where) in EntriesOf(documents, $"{at}.passwordCredentials"))
        {
            var hash = DecodeSecretHash(secret.SecretHash);
            if (hash is not { Length: 32 })
            {
                errors.Add(
                    $"{where}.secretHash must be \"{ClientSecrets.HashPrefix}\" and a base64 SHA-256 "
                    + "(print one with --hash-secret)");
                continue;
            }

            secrets.Add(new ClientSecret(hash, secret.EndDateTime));
        }

        return secrets;
    }

    // "sha256:" and a base64 SHA-256; null when the prefix is missing or the rest is not base64.
    private static byte[]? DecodeSecretHash(string? secretHash)
    {
        if (secretHash is null || !secretHash.StartsWith(ClientSecrets.HashPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        return DecodeBase64(secretHash[ClientSecrets.HashPrefix.Length..]);
    }

    private static List<ClientCertificate> ReadClientCertificates(
        List<KeyCredentialDocument> documents, string at, Errors errors)
    {
        var certificates = new List<ClientCertificate>();
        foreach (var (key, where) in EntriesOf(documents, $"{at}.keyCredentials"))
        {
            try
            {
                var certificate = X509CertificateLoader.LoadCertificate(DecodeBase64(key.Key) ?? []);
                certificates.Add(new ClientCertificate(certificate, key.EndDateTime ?? certificate.NotAfter));
            }
            catch (CryptographicException)
            {
                errors.Add($"{where}.key must be a certificate, base64 DER");
            }
        }

        return certificates;
    }

    private static List<FederatedCredential> ReadFederatedCredentials(
        List<FederatedIdentityCredentialDocument> documents, string at, Errors errors)
    {
        var federated = new List<FederatedCredential>();
        foreach (var (credential, where) in EntriesOf(documents, $"{at}.federatedIdentityCredentials"))
        {
            var name = errors.Required(credential.Name, $"{where}.name");
            var issuer = errors.Required(credential.Issuer, $"{where}.issuer");
            var subject = errors.Required(credential.Subject, $"{where}.subject");
            federated.Add(new FederatedCredential(name, issuer, subject, credential.Audiences ?? []));
        }

        return federated;
    }

    private static Dictionary<Guid, string> ReadPermissionScopes(
        List<PermissionScopeDocument> documents, string at, Errors errors)
    {
        var scopes = new Dictionary<Guid, string>();
        foreach (var (scope, where) in EntriesOf(documents, $"{at}.oauth2PermissionScopes"))
        {
            var id = errors.Guid(scope.Id, $"{where}.id");
            var value = errors.Required(scope.Value, $"{where}.value");
            scopes[id] = value;
        }

        return scopes;
    }

    // A pre-authorized client names the API's scopes by id; the tokens it gets carry their values.
    private static Dictionary<Guid, IReadOnlyList<string>> ReadPreAuthorizedScopes(
        List<PreAuthorizedApplicationDocument> documents, Dictionary<Guid, string> scopes, string at, Errors errors)
    {
        var preAuthorized = new Dictionary<Guid, IReadOnlyList<string>>();
        foreach (var (client, where) in EntriesOf(documents, $"{at}.preAuthorizedApplications"))
        {
            var clientAppId = errors.Guid(client.AppId, $"{where}.appId");
            var values = new List<string>();
            var permissionIds = client.DelegatedPermissionIds
                .Select((id, p) => (Id: id, At: $"{where}.delegatedPermissionIds[{p}]"));
            foreach (var (id, idAt) in permissionIds)
            {
                if (Guid.TryParse(id, out var scopeId) && scopes.TryGetValue(scopeId, out var value))
                {
                    values.Add(value);
                }
                else
                {
                    errors.Add($"{idAt} '{id}' is not the id of one of oauth2PermissionScopes");
                }
            }

            preAuthorized[clientAppId] = values;
        }

        return preAuthorized;
    }

    private static byte[]? DecodeBase64(string? text)
    {
        try
        {
            return text is null ? null : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private sealed record DeclaredApplication(ApplicationDocument Document, List<AppRole> Roles);

    // Applications by appId (the first of a duplicated one), and every entry's registration in file order.
    private sealed record ApplicationSet(
        Dictionary<Guid, DeclaredApplication> ByAppId, List<AppRegistration> Registrations);
}
