using System.ComponentModel.DataAnnotations;

namespace ProtectedApi.Authentication;

/// <summary>
/// Who the API is in Entra and where it reads signing keys. Settings: <c>EntraApi__*</c> (or the EntraApi section of
/// appsettings.json). Only <see cref="MetadataAddress"/> differs between Azure and the local emulator.
/// </summary>
public sealed class EntraApiOptions : IValidatableObject
{
    public const string SectionName = "EntraApi";

    /// <summary>The directory (tenant) id; tokens from any other tenant are rejected.</summary>
    [Required(ErrorMessage = "EntraApi__TenantId is required: the directory (tenant) id whose tokens the API accepts.")]
    public string TenantId { get; set; } = "";

    /// <summary>The API's application (client) id: the audience of v2.0 tokens.</summary>
    [Required(ErrorMessage = "EntraApi__ClientId is required: the API app registration's application (client) id.")]
    public string ClientId { get; set; } = "";

    /// <summary>The Application ID URI (api://{clientId} by default): the audience of v1.0 tokens.</summary>
    public string? AppIdUri { get; set; }

    /// <summary>
    /// OpenID Connect metadata; empty means Entra's global cloud for the tenant. Point it at the identity emulator to
    /// run locally, or at a national cloud's login host.
    /// </summary>
    public string? MetadataAddress { get; set; }

    /// <summary>The application role every read endpoint requires.</summary>
    [Required(ErrorMessage = "EntraApi__ReadRole is required (Api.Read).")]
    public string ReadRole { get; set; } = "Api.Read";

    /// <summary>The application role the write endpoint requires.</summary>
    [Required(ErrorMessage = "EntraApi__WriteRole is required (Api.Write).")]
    public string WriteRole { get; set; } = "Api.Write";

    public string Audience => string.IsNullOrWhiteSpace(AppIdUri) ? $"api://{ClientId}" : AppIdUri;

    public string Metadata => string.IsNullOrWhiteSpace(MetadataAddress)
        ? $"https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration"
        : MetadataAddress;

    /// <summary>The two issuers Entra uses for one tenant: v1.0 tokens and v2.0 tokens.</summary>
    public IReadOnlyList<string> Issuers =>
    [
        $"https://sts.windows.net/{TenantId}/",
        $"https://login.microsoftonline.com/{TenantId}/v2.0",
    ];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Guid.TryParse(TenantId, out _))
        {
            yield return new ValidationResult(
                $"EntraApi__TenantId '{TenantId}' is not a GUID; "
                + "'common' or 'organizations' would accept other tenants' tokens.",
                [nameof(TenantId)]);
        }

        if (!Guid.TryParse(ClientId, out _))
        {
            yield return new ValidationResult($"EntraApi__ClientId '{ClientId}' is not a GUID.", [nameof(ClientId)]);
        }

        if (!IsSafeMetadataAddress(Metadata))
        {
            yield return new ValidationResult(
                $"EntraApi__MetadataAddress '{MetadataAddress}' must be an https URL "
                + "(http only on loopback, for the emulator).",
                [nameof(MetadataAddress)]);
        }
    }

    // Signing keys fetched over plain HTTP could be swapped by anyone on the path;
    // only the local emulator, on loopback, is exempt.
    private static bool IsSafeMetadataAddress(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var metadata))
        {
            return false;
        }

        return metadata.Scheme == "https" || (metadata.Scheme == "http" && metadata.IsLoopback);
    }
}
