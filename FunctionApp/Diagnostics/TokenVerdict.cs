namespace FunctionApp.Diagnostics;

/// <summary>Whether a token is the one its target accepts, and if not, what to do about it.</summary>
public sealed record TokenVerdict(
    bool Ok,
    bool AudienceMatches,
    IReadOnlyList<string> ExpectedAudiences,
    string RequiredRole,
    bool HasRequiredRole,
    DateTimeOffset ExpiresOn,
    int ExpiresInSeconds,
    IReadOnlyList<string> Problems);
