namespace FunctionApp.Diagnostics;

/// <summary>A token's JOSE header: the signing algorithm, the signing key's id and the token type.</summary>
public sealed record TokenHeader(string? Alg, string? Kid, string? Typ);
