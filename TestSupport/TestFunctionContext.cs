using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace TestSupport;

/// <summary>
/// The worker's FunctionContext as the ASP.NET Core integration fills it for an HTTP function: the HttpContext under
/// its item key, the invocation's cancellation, a function name and invocation id. For a timer function,
/// <paramref name="http"/> is null.
/// </summary>
public sealed class TestFunctionContext(HttpContext? http, CancellationToken cancellationToken = default)
    : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => "1";

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => throw new NotSupportedException();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = null!;

    public override FunctionDefinition FunctionDefinition { get; } = new Definition();

    // The key the ASP.NET Core integration stores the request's HttpContext under (GetHttpContext reads it).
    public override IDictionary<object, object> Items { get; set; } =
        http is null ? new Dictionary<object, object>() : new Dictionary<object, object> { ["HttpRequestContext"] = http };

    public override IInvocationFeatures Features => throw new NotSupportedException();

    public override CancellationToken CancellationToken { get; } = cancellationToken;

    private sealed class Definition : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => "";

        public override string EntryPoint => "";

        public override string Id => "1";

        public override string Name => "TestFunction";

        public override IImmutableDictionary<string, BindingMetadata> InputBindings =>
            ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings =>
            ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}
