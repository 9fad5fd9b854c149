using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace BareWorker;

public static class Ping
{
    [Function(nameof(Ping))]
    public static IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request) => Results.Ok();
}
