using System.Text.Json.Nodes;
using static Infra.Tests.TemplateQuery;

namespace Infra.Tests;

/// <summary>
/// The compiled Flex Consumption site against Microsoft's list of what Flex rejects or ignores: newer regional stamps
/// refuse a deployment that sets one of these ("The following list of ... site configuration properties
/// (Site.SiteConfig.FtpsState, ...) for Flex Consumption sites is invalid"), older ones ignore it.
/// </summary>
public sealed class FlexConsumptionTests(BicepFixture bicep) : IClassFixture<BicepFixture>
{
    // "Flex Consumption plan deprecations", learn.microsoft.com/azure/azure-functions/functions-app-settings
    // #flex-consumption-plan-deprecations (MicrosoftDocs azure-docs, articles/azure-functions/functions-app-settings.md,
    // ms.date 12/22/2025). The table names them as properties.X or properties.siteConfig.X; ARM accepts either place
    // and ignores case, so the test does too.
    private static readonly string[] DeprecatedProperties =
    [
        "alwaysOn", "containerSize", "dnsConfiguration", "ftpsState", "isReserved", "IsXenon", "javaVersion",
        "LinuxFxVersion", "netFrameworkVersion", "powerShellVersion", "functionAppScaleLimit", "preWarmedInstanceCount",
        "use32BitWorkerProcess", "vnetBackupRestoreEnabled", "vnetContentShareEnabled", "vnetImagePullEnabled",
        "vnetRouteAllEnabled", "windowsFxVersion",
    ];

    // The same table's app settings, plus the two its Considerations section adds (flex-consumption-plan.md,
    // "Timezones").
    private static readonly string[] DeprecatedAppSettings =
    [
        "ENABLE_ORYX_BUILD", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "FUNCTIONS_MAX_HTTP_CONCURRENCY", "FUNCTIONS_WORKER_PROCESS_COUNT", "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED",
        "SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTOVERVNET",
        "WEBSITE_CONTENTSHARE", "WEBSITE_DNS_SERVER", "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
        "WEBSITE_NODE_DEFAULT_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
        "WEBSITE_VNET_ROUTE_ALL", "WEBSITE_TIME_ZONE", "TZ",
    ];

    [Fact]
    public void FlexSite_SetsNoPropertyFlexDeprecates()
    {
        Assert.Empty(DeprecatedPropertiesOf(FlexSite()));
    }

    [Fact]
    public void FlexSite_SetsNoAppSettingFlexDeprecates()
    {
        var inline = FlexSite()["properties"]!["siteConfig"]?["appSettings"]?.AsArray().Select(s => (string)s!["name"]!);
        var config = Single(bicep.Template, "Microsoft.Web/sites/config")["properties"]!.AsObject().Select(p => p.Key);

        var names = config.Concat(inline ?? []);

        Assert.Empty(names.Intersect(DeprecatedAppSettings, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void FlexSite_HasNoFtpPolicyButKeepsBasicAuthOffOnItsScmSite()
    {
        // Flex deploys through one deploy only and has no FTP; the sample API on App Service keeps both policies.
        var policies = OfType(bicep.Template, "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
            .Select(p => (string)p["name"]!)
            .ToList();

        var onTheFlexSite = Assert.Single(policies, name => name.Contains("appName')", StringComparison.Ordinal));
        Assert.EndsWith("'scm')]", onTheFlexSite, StringComparison.Ordinal);
        Assert.Equal(3, policies.Count);
    }

    private static IEnumerable<string> DeprecatedPropertiesOf(JsonObject site)
    {
        var properties = site["properties"]!.AsObject();
        var siteConfig = properties["siteConfig"]?.AsObject() ?? [];
        var names = properties.Select(p => p.Key).Concat(siteConfig.Select(p => p.Key));
        return names.Intersect(DeprecatedProperties, StringComparer.OrdinalIgnoreCase);
    }

    private JsonObject FlexSite() =>
        Assert.Single(OfType(bicep.Template, "Microsoft.Web/sites"), s => (string?)s["kind"] == "functionapp,linux");
}
