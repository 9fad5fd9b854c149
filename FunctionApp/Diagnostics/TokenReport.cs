namespace FunctionApp.Diagnostics;

/// <summary>What a token says, minus the token: its header, the claims that matter, and a verdict.</summary>
public sealed record TokenReport(
    string Target,
    string Scope,
    TokenHeader Header,
    TokenClaims Claims,
    TokenVerdict Verdict);
