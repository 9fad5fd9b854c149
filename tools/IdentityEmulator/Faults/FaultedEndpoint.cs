namespace IdentityEmulator.Faults;

/// <summary>
/// Endpoint metadata for <see cref="FaultInjectionFilter"/>: the name the endpoint is counted and faulted under, what a
/// rule's Resource matches (a token request's resource or scope, a Graph or metadata path), and how the endpoint
/// words an error, so that an injected fault looks like the real service's.
/// </summary>
internal sealed record FaultedEndpoint(
    string Name,
    Func<HttpContext, ValueTask<string?>> ReadResource,
    Func<HttpContext, int, string, IResult> Error)
{
    /// <summary>Graph and metadata endpoints are counted, and their faults matched, by request path.</summary>
    public static ValueTask<string?> ReadPath(HttpContext context) =>
        ValueTask.FromResult<string?>(context.Request.Path.ToString());
}
