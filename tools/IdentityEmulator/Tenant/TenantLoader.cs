using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace IdentityEmulator.Tenant;

/// <summary>A tenant file that cannot be used; the message names the file and the offending field.</summary>
internal sealed class TenantFileException(string message) : Exception(message);

/// <summary>Reads a tenant file (JSON with comments) into a <see cref="TenantDirectory"/>, or says exactly what is wrong.</summary>
internal static class TenantLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static TenantDirectory LoadFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TenantFileException($"{path}: cannot read the tenant file: {e.Message}");
        }

        return Parse(json, Path.GetFileName(path));
    }

    public static TenantDirectory Parse(string json, string source = "tenant")
    {
        TenantDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<TenantDocument>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            // JsonException.Path names the field ($.managedIdentities[0].clientid) and the line; its Message also
            // carries framework wording that helps no one editing the file.
            var where = e.Path is null ? "" : $" at {e.Path}";
            var line = e.LineNumber is { } n ? $" (line {n + 1})" : "";
            throw new TenantFileException($"{source}: invalid tenant file{where}{line}: {FirstSentence(e.Message)}");
        }

        if (document is null)
        {
            throw new TenantFileException($"{source}: the tenant file is empty");
        }

        return Build(document, new Errors(source));
    }

    private static TenantDirectory Build(TenantDocument document, Errors errors)
    {
        var tenantId = errors.Guid(document.TenantId, "tenantId");

        var identities = new List<ManagedIdentity>();
        for (var i = 0; i < document.ManagedIdentities.Count; i++)
        {
            var mi = document.ManagedIdentities[i];
            var at = $"managedIdentities[{i}]";
            var name = errors.Required(mi.Name, $"{at}.name");
            var isSystem = mi.Type switch
            {
                "systemAssigned" => true,
                "userAssigned" => false,
                _ => errors.Add<bool>($"{at}.type must be \"systemAssigned\" or \"userAssigned\""),
            };
            var resourceId = mi.ResourceId ?? (isSystem
                ? $"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulator/providers/Microsoft.Web/sites/{name}"
                : $"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}");
            identities.Add(new ManagedIdentity(name, isSystem, errors.Guid(mi.ObjectId, $"{at}.objectId"), errors.Guid(mi.ClientId, $"{at}.clientId"), resourceId));
        }

        if (identities.Count(mi => mi.IsSystemAssigned) > 1)
        {
            errors.Add("managedIdentities: at most one identity can be systemAssigned (an Azure resource has one)");
        }

        var applications = new Dictionary<Guid, (ApplicationDocument Document, List<AppRole> Roles)>();
        var registrations = new List<AppRegistration>();
        for (var i = 0; i < document.Applications.Count; i++)
        {
            var app = document.Applications[i];
            var at = $"applications[{i}]";
            var appId = errors.Guid(app.AppId, $"{at}.appId");
            errors.Required(app.DisplayName, $"{at}.displayName");
            if (app.RequestedAccessTokenVersion is not (null or 1 or 2))
            {
                errors.Add($"{at}.requestedAccessTokenVersion must be 1, 2 or null");
            }

            for (var u = 0; u < app.IdentifierUris.Count; u++)
            {
                if (!Uri.TryCreate(app.IdentifierUris[u], UriKind.Absolute, out _))
                {
                    errors.Add($"{at}.identifierUris[{u}] '{app.IdentifierUris[u]}' is not an absolute URI");
                }
            }

            if (!applications.TryAdd(appId, (app, Roles(app.AppRoles, at, errors))) && appId != Guid.Empty)
            {
                errors.Add($"{at}.appId '{appId}' is used by another application");
            }

            registrations.Add(Registration(app, appId, at, errors));
        }

        var servicePrincipals = new List<ServicePrincipal>();
        for (var i = 0; i < document.ServicePrincipals.Count; i++)
        {
            var sp = document.ServicePrincipals[i];
            var at = $"servicePrincipals[{i}]";
            var id = errors.Guid(sp.Id, $"{at}.id");
            var appId = errors.Guid(sp.AppId, $"{at}.appId");
            if (applications.TryGetValue(appId, out var registered))
            {
                var app = registered.Document;
                if (sp.AppRoles is not null || sp.ServicePrincipalNames is not null)
                {
                    errors.Add($"{at}: appRoles and servicePrincipalNames come from applications[] for appId '{appId}'; remove them here");
                }

                servicePrincipals.Add(new ServicePrincipal(
                    id, appId, sp.DisplayName ?? app.DisplayName ?? "", ServicePrincipalType.Application,
                    [.. app.IdentifierUris, appId.ToString()], registered.Roles,
                    app.RequestedAccessTokenVersion ?? 1, []));
            }
            else if (appId == MicrosoftGraph.AppId)
            {
                var roles = sp.AppRoles is null ? MicrosoftGraph.AppRoles : Roles(sp.AppRoles, at, errors);
                servicePrincipals.Add(new ServicePrincipal(
                    id, appId, sp.DisplayName ?? "Microsoft Graph", ServicePrincipalType.Application,
                    sp.ServicePrincipalNames ?? MicrosoftGraph.ServicePrincipalNames, roles, 1, []));
            }
            else
            {
                errors.Add($"{at}.appId '{appId}' matches no entry of applications[] (only Microsoft Graph, {MicrosoftGraph.AppId}, may stand alone)");
            }
        }

        // Every tenant has Microsoft Graph's service principal; a file that does not list it gets one with a
        // fixed object id, so its role assignments can still be written by appId-free tools.
        if (!servicePrincipals.Any(sp => sp.AppId == MicrosoftGraph.AppId))
        {
            servicePrincipals.Add(new ServicePrincipal(
                new Guid("00000003-0000-0000-c000-00000000e001"), MicrosoftGraph.AppId, "Microsoft Graph", ServicePrincipalType.Application,
                MicrosoftGraph.ServicePrincipalNames, MicrosoftGraph.AppRoles, 1, []));
        }

        // A managed identity is a service principal of type ManagedIdentity: its object id is the principal id
        // in role assignments, its client id the appId.
        foreach (var mi in identities)
        {
            servicePrincipals.Add(new ServicePrincipal(mi.ObjectId, mi.ClientId, mi.Name, ServicePrincipalType.ManagedIdentity, [mi.ClientId.ToString(), mi.ResourceId], [], 1, [$"isExplicit={(!mi.IsSystemAssigned).ToString()}", mi.ResourceId]));
        }

        var duplicateIds = servicePrincipals.GroupBy(sp => sp.Id).Where(g => g.Count() > 1 && g.Key != Guid.Empty).Select(g => g.Key);
        foreach (var duplicate in duplicateIds)
        {
            errors.Add($"object id '{duplicate}' is used by more than one service principal or managed identity");
        }

        var users = new List<User>();
        for (var i = 0; i < document.Users.Count; i++)
        {
            var u = document.Users[i];
            var at = $"users[{i}]";
            users.Add(new User(
                errors.Guid(u.Id, $"{at}.id"), errors.Required(u.DisplayName, $"{at}.displayName"), errors.Required(u.UserPrincipalName, $"{at}.userPrincipalName"),
                u.Mail, u.GivenName, u.Surname, u.JobTitle, u.Department, u.OfficeLocation, u.MobilePhone, u.BusinessPhones, u.AccountEnabled));
        }

        errors.ThrowIfAny();

        var directory = new TenantDirectory(tenantId, identities, servicePrincipals, users, registrations);
        for (var i = 0; i < document.AppRoleAssignments.Count; i++)
        {
            var a = document.AppRoleAssignments[i];
            var at = $"appRoleAssignments[{i}]";
            var result = directory.AddAssignment(
                errors.Guid(a.PrincipalId, $"{at}.principalId"), errors.Guid(a.ResourceId, $"{at}.resourceId"), errors.Guid(a.AppRoleId, $"{at}.appRoleId"), a.Id);
            if (result.Error is { } error && !errors.HasAny)
            {
                errors.Add($"{at}: {error}");
            }
        }

        errors.ThrowIfAny();
        return directory;
    }

    private static AppRegistration Registration(ApplicationDocument app, Guid appId, string at, Errors errors)
    {
        var secrets = new List<ClientSecret>();
        for (var i = 0; i < app.PasswordCredentials.Count; i++)
        {
            var secret = app.PasswordCredentials[i];
            var hash = secret.SecretHash is { } text && text.StartsWith(ClientSecrets.HashPrefix, StringComparison.Ordinal) ? Base64(text[ClientSecrets.HashPrefix.Length..]) : null;
            if (hash is not { Length: 32 })
            {
                errors.Add($"{at}.passwordCredentials[{i}].secretHash must be \"{ClientSecrets.HashPrefix}\" and a base64 SHA-256 (print one with --hash-secret)");
                continue;
            }

            secrets.Add(new ClientSecret(hash, secret.EndDateTime));
        }

        var certificates = new List<ClientCertificate>();
        for (var i = 0; i < app.KeyCredentials.Count; i++)
        {
            var key = app.KeyCredentials[i];
            try
            {
                var certificate = X509CertificateLoader.LoadCertificate(Base64(key.Key) ?? []);
                certificates.Add(new ClientCertificate(certificate, key.EndDateTime ?? certificate.NotAfter));
            }
            catch (CryptographicException)
            {
                errors.Add($"{at}.keyCredentials[{i}].key must be a certificate, base64 DER");
            }
        }

        var federated = new List<FederatedCredential>();
        for (var i = 0; i < app.FederatedIdentityCredentials.Count; i++)
        {
            var credential = app.FederatedIdentityCredentials[i];
            var where = $"{at}.federatedIdentityCredentials[{i}]";
            federated.Add(new FederatedCredential(
                errors.Required(credential.Name, $"{where}.name"), errors.Required(credential.Issuer, $"{where}.issuer"),
                errors.Required(credential.Subject, $"{where}.subject"), credential.Audiences ?? []));
        }

        var scopes = new Dictionary<Guid, string>();
        for (var i = 0; i < app.Oauth2PermissionScopes.Count; i++)
        {
            scopes[errors.Guid(app.Oauth2PermissionScopes[i].Id, $"{at}.oauth2PermissionScopes[{i}].id")] =
                errors.Required(app.Oauth2PermissionScopes[i].Value, $"{at}.oauth2PermissionScopes[{i}].value");
        }

        var preAuthorized = new Dictionary<Guid, IReadOnlyList<string>>();
        for (var i = 0; i < app.PreAuthorizedApplications.Count; i++)
        {
            var client = app.PreAuthorizedApplications[i];
            var where = $"{at}.preAuthorizedApplications[{i}]";
            preAuthorized[errors.Guid(client.AppId, $"{where}.appId")] = [.. client.DelegatedPermissionIds.Select((id, p) =>
                Guid.TryParse(id, out var scopeId) && scopes.TryGetValue(scopeId, out var value) ? value
                    : errors.Add<string>($"{where}.delegatedPermissionIds[{p}] '{id}' is not the id of one of oauth2PermissionScopes"))];
        }

        return new AppRegistration(appId, app.DisplayName ?? "", secrets, certificates, federated, preAuthorized);
    }

    private static byte[]? Base64(string? text)
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

    private static List<AppRole> Roles(List<AppRoleDocument> documents, string owner, Errors errors)
    {
        var roles = new List<AppRole>();
        for (var r = 0; r < documents.Count; r++)
        {
            var role = documents[r];
            var at = $"{owner}.appRoles[{r}]";
            var value = errors.Required(role.Value, $"{at}.value");
            if (role.AllowedMemberTypes.Count == 0)
            {
                errors.Add($"{at}.allowedMemberTypes must list \"Application\" and/or \"User\"");
            }

            roles.Add(new AppRole(errors.Guid(role.Id, $"{at}.id"), value, role.DisplayName ?? value, role.Description ?? role.DisplayName ?? value, role.AllowedMemberTypes, role.IsEnabled));
        }

        return roles;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private sealed class Errors(string source)
    {
        private readonly List<string> _messages = [];

        public bool HasAny => _messages.Count > 0;

        public void Add(string message) => _messages.Add(message);

        public T Add<T>(string message)
        {
            _messages.Add(message);
            return default!;
        }

        public string Required(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                _messages.Add($"{field} is required");
                return "";
            }

            return value;
        }

        public Guid Guid(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                _messages.Add($"{field} is required");
                return System.Guid.Empty;
            }

            if (!System.Guid.TryParse(value, out var guid))
            {
                _messages.Add($"{field} '{value}' is not a GUID");
            }

            return guid;
        }

        public void ThrowIfAny()
        {
            if (_messages.Count > 0)
            {
                throw new TenantFileException($"{source}: invalid tenant file: {string.Join("; ", _messages)}");
            }
        }
    }
}
