using FunctionApp.CustomApi;
using FunctionApp.Graph;
using FunctionApp.Identity;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests;

/// <summary>The audiences a token for each target may carry: what the token report checks a token against.</summary>
public sealed class TokenTargetsTests
{
    private const string AppId = "5d8e1f2a-3b4c-4d5e-8f9a-0b1c2d3e4f5a";

    public static TheoryData<CustomApiOptions, string[]> CustomApiAudiences => new()
    {
        // v1.0 tokens carry the Application ID URI, v2.0 tokens the appId, which an api://{appId} URI names.
        { new CustomApiOptions { BaseUrl = "https://api.example.com", Scope = $"api://{AppId}/.default" }, [$"api://{AppId}", AppId] },
        { new CustomApiOptions { BaseUrl = "https://api.example.com", Scope = "api://orders/.default", AppId = AppId }, ["api://orders", AppId] },
        { new CustomApiOptions { BaseUrl = "https://api.example.com", Scope = "https://contoso.example/orders/.default" }, ["https://contoso.example/orders"] },
        { new CustomApiOptions { BaseUrl = "https://api.example.com", Scope = $"{AppId}/.default" }, [AppId] },
    };

    [Theory]
    [MemberData(nameof(CustomApiAudiences))]
    public void CustomApi_ExpectsItsResourceAndAppIdAsAudiences(CustomApiOptions options, string[] audiences)
    {
        var targets = new TokenTargets(Options.Create(new GraphOptions()), Options.Create(options));

        Assert.Equal(audiences, targets.CustomApi!.ExpectedAudiences);
        Assert.Equal(["graph", "protected-api"], targets.All.Select(t => t.Name));
        Assert.Same(targets.CustomApi, targets.ForScope(options.Scope));
    }

    [Fact]
    public void Graph_ExpectsItsResourceUriOrItsAppId_AndIsTheOnlyTargetWithoutACustomApi()
    {
        var targets = new TokenTargets(Options.Create(new GraphOptions()), Options.Create(new CustomApiOptions()));

        Assert.Equal(["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"], targets.Graph.ExpectedAudiences);
        Assert.Same(targets.Graph, targets.ForScope("https://graph.microsoft.com/.default"));
        Assert.Null(targets.CustomApi);
        Assert.Equal([targets.Graph], targets.All);
    }

    [Fact]
    public void ForScope_OfAScopeTheAppWasNotConfiguredFor_NamesTheScopeItself()
    {
        var targets = new TokenTargets(Options.Create(new GraphOptions()), Options.Create(new CustomApiOptions()));

        var target = targets.ForScope("api://other/.default");

        Assert.Equal(("api://other/.default", "api://other"), (target.Name, target.DisplayName));
    }
}
