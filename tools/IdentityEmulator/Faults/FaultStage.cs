namespace IdentityEmulator.Faults;

/// <summary>
/// The emulator's fault rules in front of another ASP.NET Core app (the sample API in tests, the load run and the
/// soak), so a downstream API can be faulted exactly like the emulated endpoints: statuses with Retry-After, dropped
/// connections, malformed JSON, latency. Register it as an <see cref="IStartupFilter"/>; it runs before everything.
/// </summary>
public sealed class FaultStage : IStartupFilter
{
    /// <summary>The endpoint name its rules and counters use.</summary>
    public const string Endpoint = "api";

    private readonly FaultInjector _injector = new();
    private readonly RequestCounters _counters = new();
    private readonly EndpointGate _gate;

    public FaultStage() => _gate = new EndpointGate(_injector, _counters);

    /// <summary>
    /// Applies a rule to the next requests; its Endpoint is ignored, its Resource matches a request path.
    /// </summary>
    public void Add(FaultRule rule) => _injector.Add(rule with { Endpoint = Endpoint });

    /// <summary>Scripts the answers to the next requests, in order.</summary>
    public void Add(params FaultStep[] steps) => Add(new FaultRule { Endpoint = Endpoint, Sequence = steps });

    public void Clear() => _injector.Clear();

    /// <summary>Requests seen for one path (all paths when null), faulted ones included.</summary>
    public long Requests(string? path = null) => _counters.Get(Endpoint, path);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var step = await _gate.EnterAsync(context, Endpoint, context.Request.Path.Value);
            var fault = EndpointGate.Render(
                step, static (status, detail) => Results.Problem(detail, statusCode: status));
            if (fault is not null)
            {
                await fault.ExecuteAsync(context);
                return;
            }

            await nextMiddleware(context);
        });
        next(app);
    };
}
