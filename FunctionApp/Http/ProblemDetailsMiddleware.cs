using FunctionApp.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace FunctionApp.Http;

/// <summary>
/// Where an HTTP function's failure becomes its answer, so that each function only binds, calls and returns: a
/// <see cref="DependencyException"/> becomes its ProblemDetails, anything else a 500 ProblemDetails that names the
/// invocation, never a stack trace. A caller that gave up is not a failure: its cancellation goes back to the host.
/// </summary>
public sealed partial class ProblemDetailsMiddleware(ProblemMapper problems, ILogger<ProblemDetailsMiddleware> logger)
    : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (DependencyException failure) when (CanAnswer(context))
        {
            problems.Log(failure);
            await ProblemMapper.WriteAsync(context.GetHttpContext()!, failure);
        }
        catch (Exception e) when (CanAnswer(context))
        {
            Unhandled(logger, context.FunctionDefinition.Name, context.InvocationId, e);
            var unexpected = Results.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Unexpected error",
                detail: $"The function failed unexpectedly; the logs of invocation {context.InvocationId} say why.");
            await unexpected.ExecuteAsync(context.GetHttpContext()!);
        }
    }

    // Only an HTTP function has an answer to give, and only until it has begun.
    private static bool CanAnswer(FunctionContext context) =>
        !context.CancellationToken.IsCancellationRequested
        && context.GetHttpContext() is { Response.HasStarted: false };

    // Event ids 5000-5099.
    [LoggerMessage(
        5000,
        LogLevel.Error,
        "Function {Function} (invocation {InvocationId}) failed with an unmapped exception")]
    private static partial void Unhandled(ILogger logger, string function, string invocationId, Exception exception);
}
