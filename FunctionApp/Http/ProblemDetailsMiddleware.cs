using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace FunctionApp.Http;

/// <summary>
/// The last line of defence for HTTP functions: an exception nothing mapped becomes a 500 ProblemDetails that
/// names the invocation, never a stack trace. Functions map every failure they understand themselves.
/// </summary>
internal sealed partial class ProblemDetailsMiddleware(ILogger<ProblemDetailsMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            Unhandled(logger, context.FunctionDefinition.Name, context.InvocationId, e);
            await Results.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Unexpected error",
                detail: $"The function failed unexpectedly; the logs of invocation {context.InvocationId} say why.").ExecuteAsync(http);
        }
    }

    // Event ids 5000-5099.
    [LoggerMessage(5000, LogLevel.Error, "Function {Function} (invocation {InvocationId}) failed with an unmapped exception")]
    private static partial void Unhandled(ILogger logger, string function, string invocationId, Exception exception);
}
