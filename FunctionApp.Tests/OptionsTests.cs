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
    [Theory]
    [InlineData("Credential", "Keyless", "Identity__Credential")]
    [InlineData("UserAssignedClientId", "not-a-guid", "Identity__UserAssignedClientId")]
    [InlineData("RefreshMargin", "00:00:01", "Identity__RefreshMargin")]
    public void IdentityOptions_InvalidValue_FailsNamingTheSetting(string property, string value, string setting)
    {
        var options = new IdentityOptions();
        var info = typeof(IdentityOptions).GetProperty(property)!;
        info.SetValue(options, info.PropertyType == typeof(TimeSpan) ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : info.PropertyType == typeof(CredentialKind) ? (CredentialKind)99
            : value);

        var errors = Validate(options);

        Assert.Contains(errors, e => e.Contains(setting, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("BaseUrl", "graph.microsoft.com", "Graph__BaseUrl")]
    [InlineData("BaseUrl", "http://graph.example.com/v1.0", "Graph__BaseUrl")]
    [InlineData("BaseUrl", "", "Graph__BaseUrl")]
    [InlineData("Scope", "https://graph.microsoft.com/User.Read.All", "Graph__Scope")]
    [InlineData("RequiredRole", "", "Graph__RequiredRole")]
    [InlineData("TimeoutSeconds", "0", "Graph__TimeoutSeconds")]
    public void GraphOptions_InvalidValue_FailsNamingTheSetting(string property, string value, string setting)
    {
        var options = new GraphOptions();
        var info = typeof(GraphOptions).GetProperty(property)!;
        info.SetValue(options, info.PropertyType == typeof(int) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : value);

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
        Assert.Equal("ManagedIdentityCredential (system-assigned)", identity.Describe());
        Assert.Equal("https://graph.microsoft.com/v1.0", graph.BaseUrl);
    }

    [Fact]
    public async Task HostStart_WithInvalidSetting_FailsBeforeAnyFunctionRuns()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Graph:BaseUrl"] = "ftp://graph" });
        builder.AddFunctionAppServices();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Graph__BaseUrl 'ftp://graph' is not an absolute http(s) URL", error.Message, StringComparison.Ordinal);
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

    [Theory]
    [InlineData("BaseUrl", "http://api.example.com/", "CustomApi__BaseUrl")]
    [InlineData("Scope", "api://orders", "CustomApi__Scope")]
    [InlineData("Resources", "orders,../admin", "CustomApi__Resources")]
    [InlineData("HealthPath", "health", "CustomApi__HealthPath")]
    [InlineData("TotalTimeoutSeconds", "3", "CustomApi__TotalTimeoutSeconds")]
    public void CustomApiOptions_InvalidValue_FailsNamingTheSetting(string property, string value, string setting)
    {
        var options = new CustomApiOptions { BaseUrl = "https://api.example.com/", Scope = "api://orders/.default", AttemptTimeoutSeconds = 5 };
        var info = typeof(CustomApiOptions).GetProperty(property)!;
        info.SetValue(options, info.PropertyType == typeof(int) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : value);

        var errors = Validate(options);

        Assert.Contains(errors, e => e.Contains(setting, StringComparison.Ordinal));
    }

    private static List<string> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage!)];
    }
}
