namespace IdentityEmulator.Graph;

/// <summary>Microsoft Graph's error envelope: { "error": { "code", "message", "innerError" } }.</summary>
internal static class GraphErrors
{
    public static IResult Error(int status, string code, string message) =>
        Results.Json(
            new
            {
                error = new
                {
                    code,
                    message,
                    innerError = new { date = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), requestId = Guid.NewGuid() },
                },
            },
            statusCode: status);

    public static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, "Request_BadRequest", message);

    public static IResult NotFound(string id) =>
        Error(StatusCodes.Status404NotFound, "Request_ResourceNotFound", $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    public static IResult Denied() =>
        Error(StatusCodes.Status403Forbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

    public static IResult FromFault(int status, string message) => status switch
    {
        StatusCodes.Status429TooManyRequests => Error(status, "TooManyRequests", "Too many requests. " + message),
        StatusCodes.Status503ServiceUnavailable => Error(status, "serviceNotAvailable", "Service unavailable. " + message),
        _ => Error(status, status >= 500 ? "generalException" : "BadRequest", message),
    };
}
