using System.Text.Json;

namespace IdentityEmulator.Tenant;

/// <summary>A tenant file that cannot be used; the message names the file and the offending field.</summary>
internal sealed class TenantFileException(string message) : Exception(message);

/// <summary>
/// Reads a tenant file (JSON with comments) into a <see cref="TenantDirectory"/>, or says exactly what is wrong.
/// </summary>
internal static partial class TenantLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    // Where the emulator's managed identities live when the file names no resource id.
    private const string EmulatorProviders =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulator/providers";

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

    // Reports every mistake in the file at once; assignments are checked last, against a directory that loaded.
    private static TenantDirectory Build(TenantDocument document, Errors errors)
    {
        var tenantId = errors.Guid(document.TenantId, "tenantId");
        var identities = BuildManagedIdentities(document.ManagedIdentities, errors);
        var applications = BuildApplications(document.Applications, errors);
        var servicePrincipals = BuildServicePrincipals(document.ServicePrincipals, applications, identities, errors);
        var users = BuildUsers(document.Users, errors);
        errors.ThrowIfAny();

        var directory = new TenantDirectory(tenantId, identities, servicePrincipals, users, applications.Registrations);
        AddAppRoleAssignments(directory, document.AppRoleAssignments, errors);
        errors.ThrowIfAny();
        return directory;
    }

    private static List<ManagedIdentity> BuildManagedIdentities(List<ManagedIdentityDocument> documents, Errors errors)
    {
        var identities = new List<ManagedIdentity>();
        foreach (var (mi, at) in EntriesOf(documents, "managedIdentities"))
        {
            var name = errors.Required(mi.Name, $"{at}.name");
            var isSystem = mi.Type switch
            {
                "systemAssigned" => true,
                "userAssigned" => false,
                _ => errors.Add<bool>($"{at}.type must be \"systemAssigned\" or \"userAssigned\""),
            };
            var resourceId = mi.ResourceId ?? DefaultResourceId(name, isSystem);
            var objectId = errors.Guid(mi.ObjectId, $"{at}.objectId");
            var clientId = errors.Guid(mi.ClientId, $"{at}.clientId");
            identities.Add(new ManagedIdentity(name, isSystem, objectId, clientId, resourceId));
        }

        if (identities.Count(mi => mi.IsSystemAssigned) > 1)
        {
            errors.Add("managedIdentities: at most one identity can be systemAssigned (an Azure resource has one)");
        }

        return identities;
    }

    // A system-assigned identity belongs to its Function app; a user-assigned one is an Azure resource of its own.
    private static string DefaultResourceId(string name, bool isSystemAssigned)
    {
        if (isSystemAssigned)
        {
            return $"{EmulatorProviders}/Microsoft.Web/sites/{name}";
        }

        return $"{EmulatorProviders}/Microsoft.ManagedIdentity/userAssignedIdentities/{name}";
    }

    private static List<User> BuildUsers(List<UserDocument> documents, Errors errors)
    {
        var users = new List<User>();
        foreach (var (u, at) in EntriesOf(documents, "users"))
        {
            var id = errors.Guid(u.Id, $"{at}.id");
            var displayName = errors.Required(u.DisplayName, $"{at}.displayName");
            var userPrincipalName = errors.Required(u.UserPrincipalName, $"{at}.userPrincipalName");
            users.Add(new User(
                id,
                displayName,
                userPrincipalName,
                u.Mail,
                u.GivenName,
                u.Surname,
                u.JobTitle,
                u.Department,
                u.OfficeLocation,
                u.MobilePhone,
                u.BusinessPhones,
                u.AccountEnabled));
        }

        return users;
    }

    // Assignments go through the directory's own checks (the role exists, allows applications), as Graph's do.
    private static void AddAppRoleAssignments(
        TenantDirectory directory, List<AppRoleAssignmentDocument> documents, Errors errors)
    {
        foreach (var (a, at) in EntriesOf(documents, "appRoleAssignments"))
        {
            var principalId = errors.Guid(a.PrincipalId, $"{at}.principalId");
            var resourceId = errors.Guid(a.ResourceId, $"{at}.resourceId");
            var appRoleId = errors.Guid(a.AppRoleId, $"{at}.appRoleId");
            var result = directory.AddAssignment(principalId, resourceId, appRoleId, a.Id);
            if (result.Error is { } error && !errors.HasAny)
            {
                errors.Add($"{at}: {error}");
            }
        }
    }

    // Each entry of a list in the file, with the path its messages name it by: users[2].
    private static IEnumerable<(T Entry, string At)> EntriesOf<T>(List<T> entries, string path)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            yield return (entries[i], $"{path}[{i}]");
        }
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
