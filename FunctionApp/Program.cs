using FunctionApp.Hosting;
using FunctionApp.Http;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();
builder.AcceptWhatTheHostForwards();
builder.UseMiddleware<ProblemDetailsMiddleware>();

builder.AddApplicationInsights();
builder.AddFunctionAppServices();

builder.Build().Run();
