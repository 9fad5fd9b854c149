using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using FunctionApp.CustomApi;
using FunctionApp.Graph;
using FunctionApp.Hosting;
using FunctionApp.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests;

/// <summary>
/// Settings are validated directly (ValidateOnStart has been reported not to fire in some worker setups) and
/// through the host; every message names the app setting to fix.
/// </summary>
public sealed class OptionsTests
{
    private const string ApiUrl = "https://api.example.com/";
    private const string ApiScope = "api://orders/.default";

    public static TheoryData<object, string> InvalidOptions => new()
    {
        { new IdentityOptions { Credential = (CredentialKind)99 }, "Identity__Credential" },
        { new IdentityOptions { UserAssignedClientId = "not-a-guid" }, "Identity__UserAssignedClientId" },
        { new IdentityOptions { TokenTimeout = TimeSpan.FromSeconds(1) }, "Identity__TokenTimeout" },
        { new GraphOptions { BaseUrl = "graph.microsoft.com" }, "Graph__BaseUrl" },
        { new GraphOptions { BaseUrl = "http://graph.example.com/v1.0" }, "Graph__BaseUrl" },
        { new GraphOptions { BaseUrl = "" }, "Graph__BaseUrl" },
        { new GraphOptions { Scope = "https://graph.microsoft.com/User.Read.All" }, "Graph__Scope" },
        { new GraphOptions { RequiredRole = "" }, "Graph__RequiredRole" },
        { new GraphOptions { TimeoutSeconds = 0 }, "Graph__TimeoutSeconds" },
        { new CustomApiOptions { BaseUrl = "http://api.example.com/", Scope = ApiScope }, "CustomApi__BaseUrl" },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = "api://orders" }, "CustomApi__Scope" },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = "/.default" }, "CustomApi__Scope" },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, Resources = "orders,../admin" }, "CustomApi__Resources" },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, HealthPath = "health" }, "CustomApi__HealthPath" },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, AttemptTimeoutSeconds = 5, TotalTimeoutSeconds = 3 }, "CustomApi__TotalTimeoutSeconds" },
        // The client is built without a base URL too, and its resilience options would refuse these at the first call.
        { new CustomApiOptions { AttemptTimeoutSeconds = 5, TotalTimeoutSeconds = 3 }, "CustomApi__TotalTimeoutSeconds" },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, Name = "Graph" }, "CustomApi__Name" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Options_InvalidValue_FailsNamingTheSetting(object options, string setting)
    {
        var errors = Validate(options);

        Assert.Contains(errors, e => e.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_AreValidAndMeanSystemAssignedManagedIdentityAndGlobalGraph()
    {
        var identity = new IdentityOptions();
        var graph = new GraphOptions();

        Assert.Empty(Validate(identity));
        Assert.Empty(Validate(graph));
        Assert.Empty(Validate(new CustomApiOptions()));
        Assert.Empty(Validate(new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope }));
        Assert.Equal("ManagedIdentityCredential (system-assigned)", identity.Describe());
        Assert.Equal("https://graph.microsoft.com/v1.0", graph.BaseUrl);
        // A Graph call's bound includes its token: the token's bound must end first for a hung identity endpoint to be named.
        Assert.True(graph.TimeoutSeconds > identity.TokenTimeout.TotalSeconds);
    }

    [Fact]
    public async Task HostStart_WithInvalidSetting_FailsBeforeAnyFunctionRuns()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Graph:BaseUrl"] = "ftp://graph" });
        builder.AddFunctionAppServices();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Graph__BaseUrl 'ftp://graph' must be an https URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalSettingsSample_HasEveryOptionAndValidValues()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        var expected = typeof(IdentityOptions).GetProperties().Where(p => p.CanWrite).Select(p => $"{IdentityOptions.SectionName}__{p.Name}")
            .Concat(typeof(GraphOptions).GetProperties().Where(p => p.CanWrite).Select(p => $"{GraphOptions.SectionName}__{p.Name}"))
            .Concat(typeof(CustomApiOptions).GetProperties().Where(p => p.CanWrite).Select(p => $"{CustomApiOptions.SectionName}__{p.Name}"))
            .Append("ProbeSchedule");

        Assert.Empty(expected.Except(values.Keys));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .Build();
        Assert.Empty(Validate(configuration.GetSection(IdentityOptions.SectionName).Get<IdentityOptions>()!));
        Assert.Empty(Validate(configuration.GetSection(GraphOptions.SectionName).Get<GraphOptions>()!));
        Assert.Empty(Validate(configuration.GetSection(CustomApiOptions.SectionName).Get<CustomApiOptions>()!));
    }

    private static List<string> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage!)];
    }
}
