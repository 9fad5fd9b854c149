namespace FunctionApp.Problems;

/// <summary>What went wrong with a dependency, in the terms a caller acts on; it decides the HTTP status.</summary>
public enum FailureKind
{
    /// <summary>No token: the credential failed or timed out, or Entra refused the request (503).</summary>
    NoToken,

    /// <summary>The dependency rejected the token: audience, issuer or tenant (502).</summary>
    TokenRejected,

    /// <summary>The token lacks the application role the dependency requires (502).</summary>
    MissingRole,

    /// <summary>The dependency is throttling the app, after the client's own retries (503 with Retry-After).</summary>
    Throttled,

    /// <summary>The dependency is unavailable, or the client sheds load to spare it (503 with Retry-After).</summary>
    Unavailable,

    /// <summary>No answer within the configured time (504).</summary>
    TimedOut,

    /// <summary>An answer the client cannot read: not JSON, or too large (502).</summary>
    Malformed,

    /// <summary>No connection, or it dropped (502).</summary>
    Unreachable,

    /// <summary>The dependency, or what was asked of it, does not exist (404).</summary>
    NotFound,

    /// <summary>Any other failure the dependency answered (502).</summary>
    Failed,
}
