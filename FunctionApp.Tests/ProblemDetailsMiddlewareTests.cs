using System.Collections.Immutable;
using System.Text.Json;
using FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace FunctionApp.Tests;

public sealed class ProblemDetailsMiddlewareTests
{
    [Fact]
    public async Task Invoke_WhenFunctionThrowsUnmappedException_Writes500ProblemWithoutStackTrace()
    {
        var logs = new CapturedLogs();
        // As in the worker, request services come from the app's container (results need its logging).
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services, Response = { Body = new MemoryStream() } };
        var context = new FakeFunctionContext(http);
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var middleware = new ProblemDetailsMiddleware(loggers.CreateLogger<ProblemDetailsMiddleware>());

        await middleware.Invoke(context, _ => throw new InvalidOperationException("secret internals"));

        http.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(http.Response.Body);
        Assert.Equal(500, http.Response.StatusCode);
        Assert.Contains(context.InvocationId, body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret internals", body.RootElement.ToString(), StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.EventId == 5000 && l.Text.Contains("secret internals", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invoke_ForNonHttpFunction_LetsTheExceptionReachTheHost()
    {
        var middleware = new ProblemDetailsMiddleware(Microsoft.Extensions.Logging.Abstractions.NullLogger<ProblemDetailsMiddleware>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => middleware.Invoke(new FakeFunctionContext(null), _ => throw new InvalidOperationException()));
    }

    /// <summary>The worker's FunctionContext as the ASP.NET Core integration fills it: the HttpContext under its item key.</summary>
    private sealed class FakeFunctionContext(HttpContext? http) : FunctionContext
    {
        public override string InvocationId { get; } = Guid.NewGuid().ToString();

        public override string FunctionId => "1";

        public override TraceContext TraceContext => throw new NotSupportedException();

        public override BindingContext BindingContext => throw new NotSupportedException();

        public override RetryContext RetryContext => throw new NotSupportedException();

        public override IServiceProvider InstanceServices { get; set; } = null!;

        public override FunctionDefinition FunctionDefinition { get; } = new FakeDefinition();

        public override IDictionary<object, object> Items { get; set; } =
            http is null ? new Dictionary<object, object>() : new Dictionary<object, object> { ["HttpRequestContext"] = http };

        public override IInvocationFeatures Features => throw new NotSupportedException();
    }

    private sealed class FakeDefinition : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => "";

        public override string EntryPoint => "";

        public override string Id => "1";

        public override string Name => "GetGraphUsers";

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}
