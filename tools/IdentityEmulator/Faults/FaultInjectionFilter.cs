namespace IdentityEmulator.Faults;

/// <summary>
/// What every emulated endpoint does before its own logic: count the request, wait out injected latency, and let a
/// scripted fault answer instead, in the error shape its <see cref="FaultedEndpoint"/> metadata gives.
/// </summary>
internal sealed class FaultInjectionFilter(EmulatorState state) : IEndpointFilter
{
    private static readonly object StepKey = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var httpContext = context.HttpContext;
        var endpoint = httpContext.GetEndpoint()!.Metadata.GetRequiredMetadata<FaultedEndpoint>();
        var resource = await endpoint.ReadResource(httpContext);
        var step = await state.Gate.EnterAsync(httpContext, endpoint.Name, resource);
        var fault = EndpointGate.Render(step, (status, message) => endpoint.Error(httpContext, status, message));
        if (fault is not null)
        {
            return fault;
        }

        httpContext.Items[StepKey] = step;
        return await next(context);
    }

    /// <summary>
    /// The scripted step of a request the filter let through: a fault only the handler can play out, such as a token
    /// response without its access_token; null when there is none.
    /// </summary>
    public static FaultStep? ScriptedStep(HttpContext context) => context.Items[StepKey] as FaultStep;
}
