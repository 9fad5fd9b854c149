using System.ComponentModel.DataAnnotations;

namespace FunctionApp.Identity;

/// <summary>Which credential the app uses for every outgoing call. App settings: <c>Identity__*</c>.</summary>
public sealed class IdentityOptions : IValidatableObject
{
    public const string SectionName = "Identity";

    /// <summary>
    /// <see cref="CredentialKind.ManagedIdentity"/> (the default, for Azure) or
    /// <see cref="CredentialKind.DefaultAzureCredential"/> (for local runs).
    /// </summary>
    public CredentialKind Credential { get; set; } = CredentialKind.ManagedIdentity;

    /// <summary>
    /// Client id of a user-assigned identity, or empty for the system-assigned one. Deliberately not read from
    /// AZURE_CLIENT_ID: that variable also configures other credentials, and a stray one must not silently switch
    /// the app to a user-assigned identity.
    /// </summary>
    public string? UserAssignedClientId { get; set; }

    /// <summary>
    /// DefaultAzureCredential only: skip MSAL's instance discovery at login.microsoftonline.com, for private clouds,
    /// Azure Stack and the emulator's token endpoint, where discovery fails after retries (docs/benchmarks.md,
    /// section 5).
    /// </summary>
    public bool DisableInstanceDiscovery { get; set; }

    /// <summary>How long one token request may take, the credential's own retries included.</summary>
    [Range(
        typeof(TimeSpan),
        "00:00:05",
        "00:02:00",
        ErrorMessage = "Identity__TokenTimeout must be between 00:00:05 and 00:02:00.")]
    public TimeSpan TokenTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsUserAssigned => !string.IsNullOrWhiteSpace(UserAssignedClientId);

    /// <summary>
    /// Names the credential as configured, never a secret. DefaultAzureCredential does not say which of its
    /// credentials answered, so this does not guess: it names the chain, or the credential AZURE_TOKEN_CREDENTIALS
    /// narrows it to (<paramref name="tokenCredentials"/>); a failure names the one that failed.
    /// </summary>
    public string Describe(string? tokenCredentials)
    {
        if (Credential == CredentialKind.ManagedIdentity)
        {
            return $"ManagedIdentityCredential ({Identity})";
        }

        if (string.IsNullOrWhiteSpace(tokenCredentials))
        {
            return $"DefaultAzureCredential (its whole chain; managed identity: {Identity})";
        }

        if (tokenCredentials.Equals("ManagedIdentityCredential", StringComparison.OrdinalIgnoreCase))
        {
            return $"DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS={tokenCredentials}, {Identity})";
        }

        return $"DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS={tokenCredentials})";
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Credential))
        {
            yield return new ValidationResult(
                "Identity__Credential must be ManagedIdentity or DefaultAzureCredential.",
                [nameof(Credential)]);
        }

        if (IsUserAssigned && !Guid.TryParse(UserAssignedClientId, out _))
        {
            yield return new ValidationResult(
                $"Identity__UserAssignedClientId '{UserAssignedClientId}' is not a GUID; " +
                "leave it empty for the system-assigned identity.",
                [nameof(UserAssignedClientId)]);
        }
    }

    private string Identity => IsUserAssigned ? $"user-assigned, client id {UserAssignedClientId}" : "system-assigned";
}
