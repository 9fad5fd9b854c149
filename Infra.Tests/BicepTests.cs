using System.Text.Json.Nodes;
using FunctionApp.CustomApi;
using FunctionApp.Graph;
using FunctionApp.Identity;
using TestSupport;
using static Infra.Tests.TemplateQuery;

namespace Infra.Tests;

/// <summary>infra/ compiled and linted offline, and the security properties asserted on the ARM JSON it produces.</summary>
public sealed class BicepTests(BicepFixture bicep) : IClassFixture<BicepFixture>
{
    private const string PrincipalOfTheApp = "identity.principalId";

    public static TheoryData<string> BicepFiles => [.. Directory.GetFiles(Path.Combine(Repository.Root, "infra"), "*.bicep").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Lint_ReportsNothing(string file)
    {
        var lint = await bicep.RunAsync("lint", Path.Combine(bicep.Infra, file));

        Assert.Equal(0, lint.ExitCode);
        Assert.Equal("", (lint.Stdout + lint.Stderr).Trim());
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Build_HasNoWarnings(string file)
    {
        var build = await bicep.RunAsync("build", Path.Combine(bicep.Infra, file), "--stdout");

        Assert.Equal(0, build.ExitCode);
        Assert.DoesNotContain("Warning", build.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Error", build.Stderr, StringComparison.Ordinal);
    }

    // Unset, they take their defaults; set, as `azd env set DEPLOY_GRAPH false` sets them in azd's environment, their
    // values reach readEnvironmentVariable.
    [Theory]
    [InlineData(null, null, true, "")]
    [InlineData("false", "11111111-2222-3333-4444-555555555555", false, "11111111-2222-3333-4444-555555555555")]
    public async Task Parameters_CompileWithDeployGraphAndTheApiAppIdFromTheEnvironmentOrTheirDefaults(
        string? deployGraph, string? apiAppId, bool expectedDeployGraph, string expectedApiAppId)
    {
        var build = await BuildParametersAsync(new Dictionary<string, string?>
        {
            ["DEPLOY_GRAPH"] = deployGraph,
            ["CUSTOM_API_APP_ID"] = apiAppId,
        });

        Assert.True(build.ExitCode == 0, build.Stderr);
        Assert.DoesNotContain("Warning", build.Stderr, StringComparison.Ordinal);
        var parameters = ParametersOf(build.Stdout);
        Assert.Equal(expectedDeployGraph, (bool)parameters["deployGraph"]!["value"]!);
        Assert.Equal(expectedApiAppId, (string?)parameters["customApiAppId"]!["value"]);
    }

    private Task<ProcessRun> BuildParametersAsync(IReadOnlyDictionary<string, string?> environment) =>
        bicep.RunAsync(environment, "build-params", Path.Combine(bicep.Infra, "main.bicepparam"), "--stdout");

    private static JsonNode ParametersOf(string buildOutput)
    {
        var parametersJson = (string)JsonNode.Parse(buildOutput)!["parametersJson"]!;
        return JsonNode.Parse(parametersJson)!["parameters"]!;
    }

    [Fact]
    public void FunctionApp_HasSystemAssignedIdentityHttpsOnlyTls12AndNoBasicPublishing()
    {
        var app = Site("functionapp,linux");

        Assert.Equal("SystemAssigned", (string?)app["identity"]!["type"]);
        Assert.Equal("functionapp,linux", (string?)app["kind"]);
        var properties = app["properties"]!;
        Assert.True((bool)properties["httpsOnly"]!);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("dotnet-isolated", (string?)properties["functionAppConfig"]!["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)properties["functionAppConfig"]!["runtime"]!["version"]);
        Assert.Equal("SystemAssignedIdentity", (string?)properties["functionAppConfig"]!["deployment"]!["storage"]!["authentication"]!["type"]);
        // Basic-auth publishing off everywhere: SCM on both sites, FTP on the sample API's (Flex has no FTP).
        var policies = OfType(bicep.Template, "Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(3, policies.Count);
        Assert.All(policies, p => Assert.False((bool)p["properties"]!["allow"]!));
    }

    [Fact]
    public void SampleApi_IsHostedOnLinuxDotnet10HttpsOnlyTls12WithoutFtpAndTurnsOff()
    {
        var api = Site("app,linux");

        var properties = api["properties"]!;
        Assert.True((bool)properties["httpsOnly"]!);
        Assert.Equal("DOTNETCORE|10.0", (string?)properties["siteConfig"]!["linuxFxVersion"]);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)properties["siteConfig"]!["ftpsState"]);
        // Hosted only when the registration is known: with deployGraph=false and no customApiAppId both apps would
        // refuse to start (an empty EntraApi__ClientId, a CustomApi__BaseUrl without a scope).
        Assert.Equal("[variables('hostSampleApi')]", (string?)api["condition"]);
        var hostSampleApi = (string?)bicep.Template["variables"]!["hostSampleApi"];
        Assert.Contains("parameters('deploySampleApi')", hostSampleApi, StringComparison.Ordinal);
        Assert.Contains("parameters('customApiAppId')", hostSampleApi, StringComparison.Ordinal);
        Assert.Contains("parameters('deployGraph')", hostSampleApi, StringComparison.Ordinal);
        var settings = properties["siteConfig"]!["appSettings"]!.AsArray().ToDictionary(s => (string)s!["name"]!, s => (string?)s!["value"]);
        Assert.Equal("[tenant().tenantId]", settings["EntraApi__TenantId"]);
        Assert.Contains("API_APP_ID", settings["EntraApi__ClientId"], StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionApp_CallsTheSampleApiTheSameDeploymentHosts()
    {
        var settings = Single(bicep.Template, "Microsoft.Web/sites/config")["properties"]!;

        // One deployment is enough for /api/custom/orders: the base URL is the API site's host name, the scope and
        // appId the registration's; a hand-set value would be replaced by the next deployment anyway.
        Assert.Contains("defaultHostName", (string?)settings["CustomApi__BaseUrl"], StringComparison.Ordinal);
        Assert.Contains("variables('hostSampleApi')", (string?)settings["CustomApi__BaseUrl"], StringComparison.Ordinal);
        Assert.Contains("API_APP_ID", (string?)settings["CustomApi__Scope"], StringComparison.Ordinal);
        Assert.Contains("API_APP_ID", (string?)settings["CustomApi__AppId"], StringComparison.Ordinal);
    }

    private JsonObject Site(string kind) => Assert.Single(OfType(bicep.Template, "Microsoft.Web/sites"), s => (string?)s["kind"] == kind);

    [Fact]
    public void Plan_IsFlexConsumption()
    {
        var plan = Assert.Single(OfType(bicep.Template, "Microsoft.Web/serverfarms"), p => (string?)p["kind"] == "functionapp");

        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
    }

    [Fact]
    public void Storage_HasSharedKeyAndPublicAccessOffAndTls12()
    {
        var properties = Single(bicep.Template, "Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
    }

    [Fact]
    public void ApplicationInsights_HasLocalAuthOff()
    {
        Assert.True((bool)Single(bicep.Template, "Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]!);
    }

    [Fact]
    public void Template_HasNoKeysOrKeyedConnectionStrings()
    {
        var json = bicep.Template.ToJsonString();

        Assert.DoesNotContain("listKeys", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SharedAccessKey", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("DefaultEndpointsProtocol", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("password", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("passwordCredentials", json, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts")] // Storage Blob Data Owner
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components")] // Monitoring Metrics Publisher
    public void RoleAssignment_IsNamedFromThePrincipalIdOnItsScope(string roleDefinitionId, string scopeType)
    {
        bool IsRole(KeyValuePair<string, System.Text.Json.Nodes.JsonNode?> variable) => variable.Value is System.Text.Json.Nodes.JsonValue value && value.ToString() == roleDefinitionId;
        var module = Assert.Single(OfType(bicep.Template, "Microsoft.Resources/deployments"), d => d["properties"]!["template"]!["variables"]?.AsObject().Any(IsRole) == true);
        var roleVariable = module["properties"]!["template"]!["variables"]!.AsObject().Single(IsRole).Key;
        var assignment = Assert.Single(OfType(module["properties"]!["template"]!.AsObject(), "Microsoft.Authorization/roleAssignments"),
            r => ((string?)r["properties"]!["roleDefinitionId"])!.Contains($"variables('{roleVariable}')", StringComparison.Ordinal));

        // A recreated app has a new principal: a name from the principal id makes a new assignment instead of
        // attempting to change the principal of the old one (RoleAssignmentUpdateNotPermitted).
        Assert.Contains("parameters('principalId')", (string?)assignment["name"], StringComparison.Ordinal);
        Assert.Equal("[parameters('principalId')]", (string?)assignment["properties"]!["principalId"]);
        Assert.Contains(PrincipalOfTheApp, (string?)module["properties"]!["parameters"]!["principalId"]!["value"], StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", (string?)assignment["properties"]!["principalType"]);
        Assert.Contains(scopeType, (string?)assignment["scope"], StringComparison.Ordinal);
    }

    [Fact]
    public void RoleAssignments_AreOnlyWhatHttpAndTimerTriggersNeed()
    {
        // Functions docs ("Connecting to host storage with an identity"): queues serve blob triggers and Durable
        // Functions, tables only diagnostic events; this app has neither trigger.
        var roles = OfType(bicep.Template, "Microsoft.Authorization/roleAssignments").ToList();

        Assert.Equal(2, roles.Count);
    }

    [Fact]
    public void Storage_NameIsLowerCase()
    {
        Assert.StartsWith("[toLower(", (string?)Single(bicep.Template, "Microsoft.Storage/storageAccounts")["name"], StringComparison.Ordinal);
    }

    [Fact]
    public void Graph_GrantsUserReadAllAndTheApiReadRoleToTheAppsIdentity()
    {
        var module = Assert.Single(OfType(bicep.Template, "Microsoft.Resources/deployments"), d => (string?)d["name"] is { } n && n.Contains("graph-", StringComparison.Ordinal));
        Assert.Contains(PrincipalOfTheApp, (string?)module["properties"]!["parameters"]!["principalId"]!["value"], StringComparison.Ordinal);
        var graph = module["properties"]!["template"]!.AsObject();
        var assignments = OfType(graph, "Microsoft.Graph/appRoleAssignedTo@v1.0").ToList();

        Assert.Equal(2, assignments.Count);
        Assert.All(assignments, a => Assert.Equal("[parameters('principalId')]", (string?)a["properties"]!["principalId"]));
        Assert.Equal("df021288-bdef-4463-88db-98f22de89214", (string?)graph["variables"]!["userReadAllRoleId"]);
        Assert.Contains(assignments, a => (string?)a["properties"]!["appRoleId"] == "[variables('userReadAllRoleId')]"
            && ((string?)a["properties"]!["resourceId"])!.Contains("graphServicePrincipal", StringComparison.Ordinal));
        Assert.Contains(assignments, a => (string?)a["properties"]!["appRoleId"] == "[parameters('readRoleId')]"
            && ((string?)a["properties"]!["resourceId"])!.Contains("apiServicePrincipal", StringComparison.Ordinal));
        Assert.Equal("00000003-0000-0000-c000-000000000000", (string?)graph["variables"]!["graphAppId"]);
    }

    [Fact]
    public void Graph_ApiRegistrationHasApplicationRolesAndItsAppIdUri()
    {
        var registrations = OfType(bicep.Template, "Microsoft.Graph/applications@v1.0").ToList();
        var withUri = Assert.Single(registrations, r => r["properties"]!["identifierUris"] is not null);

        Assert.Equal(2, registrations.Count);
        Assert.Equal("[format('api://{0}', parameters('appId'))]", (string?)withUri["properties"]!["identifierUris"]![0]);
        var graph = Assert.Single(OfType(bicep.Template, "Microsoft.Resources/deployments"), d => (string?)d["name"] is { } n && n.Contains("graph-", StringComparison.Ordinal))["properties"]!["template"]!;
        var roles = graph["variables"]!["appRoles"]!.AsArray();
        Assert.Equal(["Api.Read", "Api.Write"], roles.Select(r => (string?)r!["value"]));
        Assert.All(roles, r => Assert.Equal(["Application"], r!["allowedMemberTypes"]!.AsArray().Select(t => (string?)t)));
        Assert.All(registrations, r => Assert.Equal(2, (int)r["properties"]!["api"]!["requestedAccessTokenVersion"]!));
    }

    [Fact]
    public void AppSettings_MatchTheOptionsTheFunctionAppBinds()
    {
        var settings = Single(bicep.Template, "Microsoft.Web/sites/config")["properties"]!.AsObject().Select(kv => kv.Key).ToHashSet();
        var options = new[] { (IdentityOptions.SectionName, typeof(IdentityOptions)), (GraphOptions.SectionName, typeof(GraphOptions)), (CustomApiOptions.SectionName, typeof(CustomApiOptions)) }
            .SelectMany(o => o.Item2.GetProperties().Where(p => p.CanWrite).Select(p => $"{o.Item1}__{p.Name}"))
            .Append("ProbeSchedule")
            .ToHashSet();
        // What the Functions host itself reads: identity-based storage and Entra-authenticated telemetry.
        string[] host = ["AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];

        Assert.Empty(options.Except(settings));
        Assert.Empty(settings.Except(options).Except(host));
    }

    [Fact]
    public void Outputs_AreWhatADeployerNeedsNext()
    {
        var outputs = bicep.Template["outputs"]!.AsObject().Select(kv => kv.Key).ToList();

        Assert.Contains("FUNCTION_APP_NAME", outputs);
        Assert.Contains("FUNCTION_APP_DEFAULT_HOSTNAME", outputs);
        Assert.Contains("FUNCTION_APP_PRINCIPAL_ID", outputs);
        Assert.Contains("CUSTOM_API_APP_ID_URI", outputs);
        Assert.Contains("CUSTOM_API_SCOPE", outputs);
        Assert.All(outputs, o => Assert.Equal(o.ToUpperInvariant(), o));
    }
}
