using ProtectedApi.Authentication;
using ProtectedApi.Endpoints;

namespace ProtectedApi;

/// <summary>
/// The API's composition, shared by Program.cs and the tests so both run the same pipeline. Tests pass a hook to add
/// test-only services (a fault injector at the front of the pipeline) and listen on a free loopback port.
/// </summary>
public static class ProtectedApiApplication
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        builder.AddEntraApiAuthentication();
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapProtectedApi();
        return app;
    }
}
