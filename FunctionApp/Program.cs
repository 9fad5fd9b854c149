using FunctionApp.Hosting;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ProblemDetailsMiddleware>();
// ASP.NET Core logs each request's URL at Information, its query string and so the function key (?code=) included.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

builder.AddApplicationInsights();
builder.AddFunctionAppServices();

builder.Build().Run();
