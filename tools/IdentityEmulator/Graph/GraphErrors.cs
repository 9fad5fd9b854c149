using System.Globalization;

namespace IdentityEmulator.Graph;

/// <summary>
/// Microsoft Graph's error envelope, { "error": { "code", "message", "innerError": { "date", "request-id",
/// "client-request-id" } } }, and the request-id / client-request-id headers Graph puts on every answer.
/// </summary>
internal static class GraphErrors
{
    /// <summary>
    /// Stamps the answer with a new request-id and the client's client-request-id (or a new one), as Graph does.
    /// </summary>
    public static void StampRequestIds(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        var clientRequestId = context.Request.Headers["client-request-id"].ToString();
        context.Response.Headers["request-id"] = requestId;
        context.Response.Headers["client-request-id"] = clientRequestId.Length > 0 ? clientRequestId : requestId;
    }

    public static IResult Error(int status, string code, string message) => new ErrorResult(status, code, message);

    public static IResult BadRequest(string message) =>
        Error(StatusCodes.Status400BadRequest, "Request_BadRequest", message);

    public static IResult UnsupportedQuery(string message) =>
        Error(StatusCodes.Status400BadRequest, "Request_UnsupportedQuery", message);

    public static IResult NotFound(string id) =>
        Error(
            StatusCodes.Status404NotFound,
            "Request_ResourceNotFound",
            $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    public static IResult Denied() =>
        Error(
            StatusCodes.Status403Forbidden,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.");

    public static IResult FromFault(int status, string message) => status switch
    {
        StatusCodes.Status401Unauthorized => Error(status, "InvalidAuthenticationToken", message),
        StatusCodes.Status429TooManyRequests => Error(status, "TooManyRequests", "Too many requests. " + message),
        StatusCodes.Status503ServiceUnavailable =>
            Error(status, "serviceNotAvailable", "Service unavailable. " + message),
        >= 500 => Error(status, "generalException", message),
        _ => Error(status, "BadRequest", message),
    };

    private sealed class ErrorResult(int status, string code, string message) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var headers = httpContext.Response.Headers;
            var innerError = new Dictionary<string, string?>
            {
                ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                ["request-id"] = headers["request-id"],
                ["client-request-id"] = headers["client-request-id"],
            };
            var body = new { error = new { code, message, innerError } };
            return Results.Json(body, statusCode: status).ExecuteAsync(httpContext);
        }
    }
}
