using System.ComponentModel.DataAnnotations;
using FunctionApp.Http;

namespace FunctionApp.Graph;

/// <summary>Where Microsoft Graph is and what the app needs from it. App settings: <c>Graph__*</c>.</summary>
public sealed class GraphOptions : IValidatableObject
{
    public const string SectionName = "Graph";

    /// <summary>
    /// https://graph.microsoft.com/v1.0 in the global cloud; a national cloud's or the emulator's otherwise.
    /// </summary>
    [Required(ErrorMessage = "Graph__BaseUrl is required (https://graph.microsoft.com/v1.0 in the global cloud).")]
    public string BaseUrl { get; set; } = "https://graph.microsoft.com/v1.0";

    /// <summary>
    /// The token scope: Graph's resource plus /.default, which stays Graph's even when BaseUrl points at the emulator.
    /// </summary>
    [Required(ErrorMessage = "Graph__Scope is required (https://graph.microsoft.com/.default in the global cloud).")]
    public string Scope { get; set; } = "https://graph.microsoft.com/.default";

    /// <summary>The application permission the app needs; named in diagnostics when Graph refuses.</summary>
    [Required(ErrorMessage = "Graph__RequiredRole is required (User.Read.All).")]
    public string RequiredRole { get; set; } = "User.Read.All";

    /// <summary>
    /// How long one call to Graph may take: every page, the SDK's retries and the token included. Longer than
    /// Identity__TokenTimeout by default, so a hung identity endpoint is reported as such rather than as a slow Graph.
    /// </summary>
    [Range(1, 120, ErrorMessage = "Graph__TimeoutSeconds must be between 1 and 120.")]
    public int TimeoutSeconds { get; set; } = 45;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!BearerUrl.IsAllowed(BaseUrl))
        {
            yield return new ValidationResult(
                $"Graph__BaseUrl '{BaseUrl}' must be an https URL (http only on loopback).",
                [nameof(BaseUrl)]);
        }

        if (!Scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            yield return new ValidationResult(
                $"Graph__Scope '{Scope}' must end in /.default: app-only tokens carry the application permissions " +
                "granted to the identity.",
                [nameof(Scope)]);
        }
    }
}
