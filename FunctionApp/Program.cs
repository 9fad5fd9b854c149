using FunctionApp.Hosting;
using FunctionApp.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();
// The host's Kestrel keeps the default limits, then adds headers (X-Forwarded-*, traceparent, x-ms-invocation-id) on
// the way here: twice its limits take whatever it accepted, where the defaults would answer 431 and the call time out.
builder.Services.Configure<KestrelServerOptions>(kestrel =>
{
    kestrel.Limits.MaxRequestHeaderCount = 200;
    kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
    kestrel.Limits.MaxRequestLineSize = 16 * 1024;
});
builder.UseMiddleware<ProblemDetailsMiddleware>();

builder.AddApplicationInsights();
builder.AddFunctionAppServices();

builder.Build().Run();
