using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace BareWorker;

public sealed class Ping
{
    [Function(nameof(Ping))]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request) => Results.Ok();
}
