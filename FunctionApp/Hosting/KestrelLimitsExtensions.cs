using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Hosting;

public static class KestrelLimitsExtensions
{
    /// <summary>
    /// Lets the worker's Kestrel take every request the Functions host accepted. The host keeps Kestrel's default
    /// limits, then adds headers on the way here (X-Forwarded-*, traceparent, x-ms-invocation-id): twice its limits,
    /// where the defaults would answer 431 and the call would time out.
    /// </summary>
    public static IHostApplicationBuilder AcceptWhatTheHostForwards(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestHeaderCount = 200;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            kestrel.Limits.MaxRequestLineSize = 16 * 1024;
        });
        return builder;
    }
}
