using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using FunctionApp.CustomApi;
using FunctionApp.Graph;
using FunctionApp.Hosting;
using FunctionApp.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TestSupport;

namespace FunctionApp.Tests;

/// <summary>
/// Settings are validated directly (ValidateOnStart has been reported not to fire in some worker setups) and
/// through the host; every message names the app setting to fix.
/// </summary>
public sealed class OptionsTests
{
    private const string ApiUrl = "https://api.example.com/";
    private const string ApiScope = "api://orders/.default";
    private const string ClientId = "7f3e0c7a-5b1d-4c2e-9a8f-1d2b3c4d5e6f";
    private const string TotalNotAboveAttempt = "CustomApi__TotalTimeoutSeconds must be greater than CustomApi__AttemptTimeoutSeconds.";

    public static TheoryData<object, string> InvalidOptions => new()
    {
        { new IdentityOptions { Credential = (CredentialKind)99 }, "Identity__Credential must be ManagedIdentity or DefaultAzureCredential." },
        {
            new IdentityOptions { UserAssignedClientId = "not-a-guid" },
            "Identity__UserAssignedClientId 'not-a-guid' is not a GUID; leave it empty for the system-assigned identity."
        },
        { new IdentityOptions { TokenTimeout = TimeSpan.FromSeconds(1) }, "Identity__TokenTimeout must be between 00:00:05 and 00:02:00." },
        { new GraphOptions { BaseUrl = "graph.microsoft.com" }, "Graph__BaseUrl 'graph.microsoft.com' must be an https URL (http only on loopback)." },
        { new GraphOptions { BaseUrl = "http://graph.example.com/v1.0" }, "Graph__BaseUrl 'http://graph.example.com/v1.0' must be an https URL (http only on loopback)." },
        { new GraphOptions { BaseUrl = "" }, "Graph__BaseUrl is required (https://graph.microsoft.com/v1.0 in the global cloud)." },
        {
            new GraphOptions { Scope = "https://graph.microsoft.com/User.Read.All" },
            "Graph__Scope 'https://graph.microsoft.com/User.Read.All' must end in /.default: app-only tokens carry the application permissions granted to the identity."
        },
        { new GraphOptions { RequiredRole = "" }, "Graph__RequiredRole is required (User.Read.All)." },
        { new GraphOptions { TimeoutSeconds = 0 }, "Graph__TimeoutSeconds must be between 1 and 120." },
        { new CustomApiOptions { BaseUrl = "http://api.example.com/", Scope = ApiScope }, "CustomApi__BaseUrl 'http://api.example.com/' must be an https URL (http only on loopback)." },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = "api://orders" }, ScopeMessage("api://orders") },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = "/.default" }, ScopeMessage("/.default") },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, Resources = "orders,../admin" }, ResourcesMessage("orders,../admin") },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, Resources = "orders,Products" }, ResourcesMessage("orders,Products") },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, Resources = " , " }, ResourcesMessage(" , ") },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, HealthPath = "health" }, "CustomApi__HealthPath 'health' must be a path on the API: '/' followed by letters, digits, '-', '_', '.' and single '/'." },
        // The health route is called with the app's token: a path that HttpClient would read as another host's URL
        // would send the token there.
        {
            new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, HealthPath = "/https://other.example/x" },
            "CustomApi__HealthPath '/https://other.example/x' must be a path on the API: '/' followed by letters, digits, '-', '_', '.' and single '/'."
        },
        {
            new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, HealthPath = "//other.example/x" },
            "CustomApi__HealthPath '//other.example/x' must be a path on the API: '/' followed by letters, digits, '-', '_', '.' and single '/'."
        },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, AttemptTimeoutSeconds = 5, TotalTimeoutSeconds = 3 }, TotalNotAboveAttempt },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, AttemptTimeoutSeconds = 5, TotalTimeoutSeconds = 5 }, TotalNotAboveAttempt },
        // The client is built without a base URL too, and its resilience options would refuse these at the first call.
        { new CustomApiOptions { AttemptTimeoutSeconds = 5, TotalTimeoutSeconds = 3 }, TotalNotAboveAttempt },
        { new CustomApiOptions { BaseUrl = ApiUrl, Scope = ApiScope, Name = "Graph" }, "CustomApi__Name must not be 'graph': that target is Microsoft Graph." },
    };

    public static TheoryData<IdentityOptions, string?, string> Descriptions => new()
    {
        { new IdentityOptions(), null, "ManagedIdentityCredential (system-assigned)" },
        { new IdentityOptions { UserAssignedClientId = " " }, null, "ManagedIdentityCredential (system-assigned)" },
        {
            new IdentityOptions { UserAssignedClientId = ClientId },
            null,
            $"ManagedIdentityCredential (user-assigned, client id {ClientId})"
        },
        {
            new IdentityOptions { Credential = CredentialKind.DefaultAzureCredential },
            null,
            "DefaultAzureCredential (its whole chain; managed identity: system-assigned)"
        },
        // The run script's three --as modes narrow DefaultAzureCredential with AZURE_TOKEN_CREDENTIALS.
        {
            new IdentityOptions { Credential = CredentialKind.DefaultAzureCredential },
            "ManagedIdentityCredential",
            "DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential, system-assigned)"
        },
        {
            new IdentityOptions { Credential = CredentialKind.DefaultAzureCredential },
            "EnvironmentCredential",
            "DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS=EnvironmentCredential)"
        },
        {
            new IdentityOptions { Credential = CredentialKind.DefaultAzureCredential },
            "AzureCliCredential",
            "DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS=AzureCliCredential)"
        },
        // AZURE_TOKEN_CREDENTIALS means nothing to a ManagedIdentityCredential built directly.
        { new IdentityOptions(), "AzureCliCredential", "ManagedIdentityCredential (system-assigned)" },
    };

    // The bearer token goes over https anywhere, over plain http only to this machine (the emulator, the sample API).
    [Theory]
    [InlineData("https://graph.microsoft.com/v1.0", true)]
    [InlineData("http://127.0.0.1:5180/v1.0", true)]
    [InlineData("http://localhost:5180/v1.0", true)]
    [InlineData("http://[::1]:5180/v1.0", true)]
    [InlineData("http://10.0.0.4/v1.0", false)]
    [InlineData("ftp://127.0.0.1/v1.0", false)]
    [InlineData("/v1.0", false)]
    public void BaseUrl_IsHttpsOrLoopbackHttp(string url, bool valid)
    {
        Assert.Equal(valid, Validate(new GraphOptions { BaseUrl = url }).Count == 0);
        Assert.Equal(valid, Validate(new CustomApiOptions { BaseUrl = url, Scope = ApiScope }).Count == 0);
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Options_InvalidValue_FailsWithOneMessageNamingTheSetting(object options, string message)
    {
        var errors = Validate(options);

        Assert.Equal([message], errors);
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void Describe_NamesTheCredentialAndTheIdentity(IdentityOptions options, string? tokenCredentials, string description)
    {
        Assert.Empty(Validate(options));
        Assert.Equal(description, options.Describe(tokenCredentials));
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
        Assert.Equal("https://graph.microsoft.com/v1.0", graph.BaseUrl);
        // A Graph call's bound includes its token: the token's bound must end first for a hung identity endpoint to be named.
        Assert.True(graph.TimeoutSeconds > identity.TokenTimeout.TotalSeconds);
    }

    [Fact]
    public async Task HostStart_WithInvalidSetting_FailsBeforeAnyFunctionRuns()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?> { ["Graph__BaseUrl"] = "ftp://graph" };
        builder.Configuration.AddInMemoryCollection(AppSettings.AsConfiguration(settings));
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
            .AddInMemoryCollection(AppSettings.AsConfiguration(values))
            .Build();
        Assert.Empty(Validate(configuration.GetSection(IdentityOptions.SectionName).Get<IdentityOptions>()!));
        Assert.Empty(Validate(configuration.GetSection(GraphOptions.SectionName).Get<GraphOptions>()!));
        Assert.Empty(Validate(configuration.GetSection(CustomApiOptions.SectionName).Get<CustomApiOptions>()!));
    }

    private static string ScopeMessage(string scope) =>
        $"CustomApi__Scope '{scope}' must be the API's Application ID URI or appId followed by /.default, e.g. api://<app-id>/.default.";

    private static string ResourcesMessage(string resources) =>
        $"CustomApi__Resources '{resources}' must list lowercase names (letters, digits, '-'), comma-separated.";

    private static List<string> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage!)];
    }
}
