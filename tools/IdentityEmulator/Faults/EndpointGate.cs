namespace IdentityEmulator.Faults;

/// <summary>
/// The first thing every emulated endpoint does: count the request, wait out any injected latency, and let a
/// scripted fault answer in the endpoint's own error shape.
/// </summary>
internal sealed class EndpointGate(FaultInjector faults, RequestCounters counters)
{
    public async Task<FaultStep?> EnterAsync(HttpContext context, string endpoint, string? resource)
    {
        counters.Increment(endpoint, resource);
        var decision = faults.Next(endpoint, resource);
        if (decision.Delay > TimeSpan.Zero)
        {
            await Task.Delay(decision.Delay, context.RequestAborted);
        }

        return decision.Step;
    }

    private static readonly byte[] OversizedBody = [.. Enumerable.Repeat((byte)' ', 2 * 1024 * 1024), (byte)'x'];

    /// <summary>
    /// The answer a scripted step gives, or null when the endpoint should answer normally. A 429 always says when to
    /// retry (Graph's throttling guidance: its resources send Retry-After), 1 s unless the step says otherwise.
    /// </summary>
    public static IResult? Render(FaultStep? step, Func<int, string, IResult> error) => step?.Fault switch
    {
        FaultKind.Status => new WithRetryAfter(
            error(step.Status, $"Injected fault: status {step.Status}."),
            RetryAfterSeconds(step)),
        FaultKind.Drop => new DroppedConnection(),
        FaultKind.MalformedJson => Results.Text("{\"value\": [{\"id\": ", "application/json", statusCode: 200),
        FaultKind.OversizedBody => Results.Bytes(OversizedBody, "application/json"),
        _ => null,
    };

    private static int? RetryAfterSeconds(FaultStep step)
    {
        if (step.RetryAfterSeconds is { } seconds)
        {
            return seconds;
        }

        return step.Status == StatusCodes.Status429TooManyRequests ? 1 : null;
    }

    private sealed class WithRetryAfter(IResult inner, int? seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (seconds is { } s)
            {
                httpContext.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return inner.ExecuteAsync(httpContext);
        }
    }

    // Promises a longer body than it sends, then resets the connection: the client sees the response end
    // prematurely, as when a platform endpoint restarts mid-answer.
    private sealed class DroppedConnection : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = 4096;
            await httpContext.Response.WriteAsync("{\"access_token\":\"", httpContext.RequestAborted);
            await httpContext.Response.Body.FlushAsync(httpContext.RequestAborted);
            httpContext.Abort();
        }
    }
}
