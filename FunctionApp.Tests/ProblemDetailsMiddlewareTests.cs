using System.Text.Json;
using FunctionApp.Http;
using FunctionApp.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
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
        var context = new TestFunctionContext(http);
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var middleware = new ProblemDetailsMiddleware(new ProblemMapper(loggers.CreateLogger<ProblemMapper>()), loggers.CreateLogger<ProblemDetailsMiddleware>());

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
        var middleware = new ProblemDetailsMiddleware(
            new ProblemMapper(NullLogger<ProblemMapper>.Instance),
            NullLogger<ProblemDetailsMiddleware>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => middleware.Invoke(new TestFunctionContext(null), _ => throw new InvalidOperationException()));
    }

    [Fact]
    public async Task Invoke_WhenADependencyIsThrottling_Answers503WithItsDetailAndRetryAfter()
    {
        var logs = new CapturedLogs();
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services, Response = { Body = new MemoryStream() } };
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var middleware = new ProblemDetailsMiddleware(
            new ProblemMapper(loggers.CreateLogger<ProblemMapper>()),
            loggers.CreateLogger<ProblemDetailsMiddleware>());
        var throttled = new DependencyException(
            "graph", FailureKind.Throttled, "Microsoft Graph is throttling", "try again in 7 s", TimeSpan.FromSeconds(7));

        await middleware.Invoke(new TestFunctionContext(http), _ => throw throttled);

        http.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(http.Response.Body);
        Assert.Equal(503, http.Response.StatusCode);
        Assert.Equal("7", http.Response.Headers.RetryAfter.ToString());
        Assert.Equal("Microsoft Graph is throttling", body.RootElement.GetProperty("title").GetString());
        Assert.Equal("try again in 7 s", body.RootElement.GetProperty("detail").GetString());
        Assert.Equal(
            "Call to graph failed: Microsoft Graph is throttling: try again in 7 s",
            Assert.Single(logs.WithEventId(2000)).Text);
    }

    [Fact]
    public async Task Invoke_WhenTheInvocationIsCancelled_LetsTheCancellationReachTheHost()
    {
        var http = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var middleware = new ProblemDetailsMiddleware(
            new ProblemMapper(NullLogger<ProblemMapper>.Instance),
            NullLogger<ProblemDetailsMiddleware>.Instance);

        await Assert.ThrowsAsync<TaskCanceledException>(
            () => middleware.Invoke(new TestFunctionContext(http, cancelled.Token), _ => throw new TaskCanceledException()));

        Assert.False(http.Response.HasStarted);
        Assert.Equal(200, http.Response.StatusCode);
    }
}
