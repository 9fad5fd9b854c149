using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using FunctionApp.Http;

namespace FunctionApp.CustomApi;

/// <summary>
/// The custom Entra-protected API the app calls. App settings: <c>CustomApi__*</c>; no BaseUrl means none.
/// </summary>
public sealed partial class CustomApiOptions : IValidatableObject
{
    public const string SectionName = "CustomApi";

    /// <summary>The target name in ?target= and in probe logs.</summary>
    [Required(ErrorMessage = "CustomApi__Name is required (protected-api).")]
    public string Name { get; set; } = "protected-api";

    /// <summary>The API's root URL; empty turns the custom-API function and probe off.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The API's Application ID URI (or appId) plus /.default, e.g. api://{appId}/.default.</summary>
    public string Scope { get; set; } = "";

    /// <summary>
    /// The API's application (client) id, the audience of its v2.0 tokens; derived from an api://{appId} scope when
    /// empty.
    /// </summary>
    public string? AppId { get; set; }

    /// <summary>The application role the app needs on the API.</summary>
    [Required(ErrorMessage = "CustomApi__RequiredRole is required (Api.Read).")]
    public string RequiredRole { get; set; } = "Api.Read";

    /// <summary>
    /// The allow-list: comma-separated names GET /api/custom/{name} may read; nothing else is forwarded.
    /// </summary>
    public string Resources { get; set; } = "orders,products";

    /// <summary>The API's anonymous health route, called by the probe timer.</summary>
    public string HealthPath { get; set; } = "/health";

    [Range(1, 60, ErrorMessage = "CustomApi__AttemptTimeoutSeconds must be between 1 and 60.")]
    public int AttemptTimeoutSeconds { get; set; } = 5;

    [Range(2, 120, ErrorMessage = "CustomApi__TotalTimeoutSeconds must be between 2 and 120.")]
    public int TotalTimeoutSeconds { get; set; } = 20;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(BaseUrl);

    public IReadOnlyList<string> AllowList =>
        Resources.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Checked even without a base URL: the client, and its resilience handler's options, are built regardless.
        if (TotalTimeoutSeconds <= AttemptTimeoutSeconds)
        {
            yield return new ValidationResult(
                "CustomApi__TotalTimeoutSeconds must be greater than CustomApi__AttemptTimeoutSeconds.",
                [nameof(TotalTimeoutSeconds)]);
        }

        if (!IsConfigured)
        {
            yield break;
        }

        if (string.Equals(Name, "graph", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                "CustomApi__Name must not be 'graph': that target is Microsoft Graph.",
                [nameof(Name)]);
        }

        if (!BearerUrl.IsAllowed(BaseUrl))
        {
            yield return new ValidationResult(
                $"CustomApi__BaseUrl '{BaseUrl}' must be an https URL (http only on loopback).",
                [nameof(BaseUrl)]);
        }

        if (!Scope.EndsWith("/.default", StringComparison.Ordinal) || Scope.Length == "/.default".Length)
        {
            yield return new ValidationResult(
                $"CustomApi__Scope '{Scope}' must be the API's Application ID URI or appId followed by /.default, " +
                "e.g. api://<app-id>/.default.",
                [nameof(Scope)]);
        }

        if (AllowList.Count == 0 || AllowList.Any(name => !AllowedName().IsMatch(name)))
        {
            yield return new ValidationResult(
                $"CustomApi__Resources '{Resources}' must list lowercase names (letters, digits, '-'), " +
                "comma-separated.",
                [nameof(Resources)]);
        }

        // The path is sent with the app's token: nothing in it may turn it into another host's URL.
        if (!HealthPathPattern().IsMatch(HealthPath))
        {
            yield return new ValidationResult(
                $"CustomApi__HealthPath '{HealthPath}' must be a path on the API: '/' followed by letters, digits, " +
                "'-', '_', '.' and single '/'.",
                [nameof(HealthPath)]);
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$")]
    private static partial Regex AllowedName();

    [GeneratedRegex("^(/[A-Za-z0-9._-]+)+/?$|^/$")]
    private static partial Regex HealthPathPattern();
}
