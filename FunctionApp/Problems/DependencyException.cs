namespace FunctionApp.Problems;

/// <summary>
/// A call to a dependency (a token from the credential, Microsoft Graph, the custom API) failed in a way a person can
/// act on. The client that made the call raises it where the SDK's detail is known; <see cref="ProblemMapper"/> turns
/// it into the HTTP answer and the log line. The message is the problem's detail: it never holds a token.
/// </summary>
public sealed class DependencyException(
    string target,
    FailureKind kind,
    string title,
    string detail,
    TimeSpan? retryAfter = null,
    Exception? innerException = null)
    : Exception(detail, innerException)
{
    /// <summary>The call's target, as ?target= and the logs name it: graph or the custom API's name.</summary>
    public string Target { get; } = target;

    public FailureKind Kind { get; } = kind;

    /// <summary>The problem's title: what failed, in a few words.</summary>
    public string Title { get; } = title;

    /// <summary>When a throttled or unavailable dependency may be asked again (<see cref="RetryDelay"/>).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
