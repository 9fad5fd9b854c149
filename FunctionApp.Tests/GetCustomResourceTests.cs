using System.Net;
using System.Net.Http.Json;
using FunctionApp.Functions;
using IdentityEmulator;
using IdentityEmulator.Faults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph.Models;
using TestSupport;

namespace FunctionApp.Tests;

/// <summary>
/// The Function app's custom-API path, the identity emulator and the sample API together on loopback: the real
/// credential, bearer handler, resilience pipeline and JWT validation.
/// </summary>
[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class GetCustomResourceTests
{
    [Fact]
    public async Task Run_WithRole_ReturnsTheApisJson()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true);

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders");

        Assert.Equal(200, answer.Status);
        Assert.Equal(3, answer.Json.GetArrayLength());
        Assert.Equal("Contoso", answer.Json[0].GetProperty("customer").GetString());
        Assert.False(answer.HasToken);
    }

    [Fact]
    public async Task Run_WhenIdentityLacksTheRole_Returns502NamingTheRoleAndTheCache()
    {
        await using var scenario = await Scenario.StartAsync(withRole: false);

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders");

        Assert.Equal(502, answer.Status);
        var detail = answer.Json.GetProperty("detail").GetString()!;
        Assert.Contains("The token has no role Api.Read", detail, StringComparison.Ordinal);
        Assert.Contains("restarting the app does not renew them", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenAppIdUriIsNotRegistered_Returns503WithAadsts500011()
    {
        var unregistered = $"api://{Guid.NewGuid()}";
        await using var scenario = await Scenario.StartAsync(withRole: true, scope: unregistered + "/.default");

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders");

        Assert.Equal(503, answer.Status);
        Assert.Contains("AADSTS500011", answer.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(unregistered, answer.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, scenario.Api.Faults.Requests("/api/orders"));
    }

    [Fact]
    public async Task Run_WhenTokenIsForAnotherAudience_Returns502SayingWhatTheApiRejected()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true, scope: "https://graph.microsoft.com/.default");

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders");

        Assert.Equal(502, answer.Status);
        var detail = answer.Json.GetProperty("detail").GetString()!;
        Assert.Contains("Audience or issuer rejected: the app requests https://graph.microsoft.com/.default", detail, StringComparison.Ordinal);
        Assert.Contains("invalid_token", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AfterRoleAssignedThroughGraph_OnlyATokenForANewResourceCarriesIt()
    {
        await using var scenario = await Scenario.StartAsync(withRole: false);
        var tenant = scenario.Tenant;
        var before = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders");

        await GraphClients.ForIdentity(scenario.Emulator, tenant.AdminClientId).ServicePrincipals[tenant.ApiServicePrincipalId.ToString()].AppRoleAssignedTo
            .PostAsync(new AppRoleAssignment { PrincipalId = tenant.UserAssignedObjectId, ResourceId = tenant.ApiServicePrincipalId, AppRoleId = tenant.ApiReadRoleId });
        var cached = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders");
        // The same API requested by its appId is a new resource to every cache: its token is issued now, with the role.
        var scope = new Dictionary<string, string?> { ["CustomApi__Scope"] = tenant.ApiAppId + "/.default" };
        await using var byAppId = await TestApp.StartAsync(tenant, scope, scenario.Emulator, scenario.Api);
        var fresh = await byAppId.InvokeAsync(byAppId.Function<GetCustomResource>().Run, "orders");

        Assert.Equal(502, before.Status);
        Assert.Equal(502, cached.Status);
        Assert.Equal(200, fresh.Status);
    }

    // The token is got once per call, outside the attempts, so an attempt's timeout never cancels its request.
    [Fact]
    public async Task Run_WhenTheIdentityEndpointIsSlowerThanAnAttempt_StillSucceeds()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true, settings: new Dictionary<string, string?>
        {
            ["CustomApi__AttemptTimeoutSeconds"] = "1",
            ["CustomApi__TotalTimeoutSeconds"] = "2",
        });
        scenario.Emulator.AddFault(new FaultRule { Endpoint = "managedIdentity", LatencyMs = 1500 });

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders");

        Assert.Equal(200, answer.Status);
        Assert.Equal(1, scenario.Emulator.RequestCount("managedIdentity"));
    }

    [Fact]
    public async Task Run_WhenApiAnswers503ThenOk_RetriesAndSucceeds()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true);
        scenario.Api.Faults.Add(new FaultStep { Status = 503, RetryAfterSeconds = 1 });

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "products");

        Assert.Equal(200, answer.Status);
        Assert.Equal(2, scenario.Api.Faults.Requests("/api/products"));
        // The standard resilience handler logs each retry through Polly's telemetry.
        var retry = Assert.Single(Retries(scenario.App));
        Assert.Contains("'503'", retry.Text, StringComparison.Ordinal);
    }

    // The pipeline serves GETs only today; a POST added later must not be sent twice because an attempt failed.
    [Fact]
    public async Task Pipeline_WhenAPostFails_DoesNotRetryIt()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true);
        scenario.Api.Faults.Add(new FaultRule { Endpoint = FaultStage.Endpoint, FailureRate = 1, FailureStatus = 503 });
        var http = scenario.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(FunctionApp.CustomApi.CustomApiClient));

        using var response = await http.PostAsJsonAsync("api/orders", new { id = 4, customer = "Litware", quantity = 2 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, scenario.Api.Faults.Requests("/api/orders"));
        Assert.Empty(Retries(scenario.App));
    }

    // Still failing after the retries (Retry-After: 2 keeps them two seconds apart instead of the back-off's 2, 4
    // and 8 s): an unavailable API's 503 is passed on with its own Retry-After, any other failure is a 502 without.
    [Theory]
    [InlineData(503, "503 The custom API failed", "Service Unavailable", "; try again in 2 s (Retry-After).", "2")]
    [InlineData(500, "502 The custom API failed", "Internal Server Error", ".", null)]
    public async Task Run_WhenApiKeepsFailing_AnswersAfterTheRetriesWithRetryAfterOnlyWhenUnavailable(
        int status, string outcome, string reason, string advice, string? retryAfter)
    {
        await using var scenario = await Scenario.StartAsync(withRole: true);
        scenario.Api.Faults.Add([.. Enumerable.Repeat(new FaultStep { Status = status, RetryAfterSeconds = 2 }, 5)]);

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "products");

        Assert.Equal(outcome, answer.Outcome);
        Assert.Equal(
            $"The custom API answered {status} {reason} after the retries allowed for this call{advice}",
            answer.Detail);
        Assert.Equal(retryAfter, answer.RetryAfter);
        Assert.Equal(4, scenario.Api.Faults.Requests("/api/products"));
    }

    [Fact]
    public async Task Run_AfterAHundredFailedAttempts_AnswersFromTheOpenCircuitWithoutCallingTheApi()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true);
        // Retry-After: 0 lets each call's three retries follow at once; 25 calls reach the breaker's minimum of 100 attempts.
        scenario.Api.Faults.Add([.. Enumerable.Repeat(new FaultStep { Status = 503, RetryAfterSeconds = 0 }, 100)]);
        var function = scenario.App.Function<GetCustomResource>();
        for (var call = 0; call < 25; call++)
        {
            Assert.Equal("503 The custom API failed", (await scenario.App.InvokeAsync(function.Run, "orders")).Outcome);
        }

        var answer = await scenario.App.InvokeAsync(function.Run, "orders");

        Assert.Equal("503 The custom API is failing", answer.Outcome);
        // The circuit's remaining break (the standard handler's 5 s), rounded up to whole seconds.
        var retryAfter = int.Parse(answer.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 5);
        Assert.Equal(
            "Recent calls to the custom API failed so often that calls are paused (circuit breaker); " +
            $"try again in {retryAfter} s (Retry-After).",
            answer.Detail);
        Assert.Equal(100, scenario.Api.Faults.Requests("/api/orders"));
    }

    [Fact]
    public async Task Run_WhenApiAnswersMoreThanTheClientReads_Returns502WithoutRetrying()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true);
        scenario.Api.Faults.Add(new FaultStep { Fault = FaultKind.OversizedBody });

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders");

        Assert.Equal(502, answer.Status);
        Assert.Contains("over 1024 KB", answer.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, scenario.Api.Faults.Requests("/api/orders"));
        Assert.Empty(Retries(scenario.App));
    }

    [Fact]
    public async Task Run_WhenNoCustomApiIsConfigured_Returns404SayingWhichSettingIsMissing()
    {
        await using var app = await TestApp.StartAsync(new TestTenant());

        var answer = await app.InvokeAsync(app.Function<GetCustomResource>().Run, "orders");

        Assert.Equal(404, answer.Status);
        Assert.Equal("No custom API", answer.Json.GetProperty("title").GetString());
        Assert.Equal("No custom API is configured: set CustomApi__BaseUrl and CustomApi__Scope.", answer.Detail);
    }

    [Fact]
    public async Task Probe_IncludesTheCustomApisHealthRoute()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true);

        await scenario.App.Function<ProbeTargets>().Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        var healthy = scenario.App.Logs.WithEventId(4000).Select(l => l.State.Single(kv => kv.Key == "Target").Value).ToList();
        Assert.Contains("protected-api", healthy);
        Assert.Equal(1, scenario.Api.Faults.Requests("/health"));
    }

    [Fact]
    public async Task Claims_ForTheCustomApi_ShowTheAppIdAudienceAndRole()
    {
        await using var scenario = await Scenario.StartAsync(withRole: true);

        var answer = await scenario.App.InvokeAsync(scenario.App.Function<GetTokenClaims>().Run, "?target=protected-api");

        Assert.Equal(200, answer.Status);
        Assert.Equal(scenario.Tenant.ApiAppId.ToString(), answer.Json.GetProperty("claims").GetProperty("aud").GetString());
        Assert.True(answer.Json.GetProperty("verdict").GetProperty("ok").GetBoolean(), answer.Body);
    }

    private static IEnumerable<CapturedLogs.LogLine> Retries(TestApp app) =>
        app.Logs.Lines.Where(l => l.Text.Contains("EventName: 'OnRetry'", StringComparison.Ordinal));

    /// <summary>Emulator, sample API and app for one test; the app uses the tenant's user-assigned identity.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private Scenario(TestTenant tenant, EmulatorApp emulator, SampleApi api, TestApp app)
        {
            Tenant = tenant;
            Emulator = emulator;
            Api = api;
            App = app;
        }

        public TestTenant Tenant { get; }

        public EmulatorApp Emulator { get; }

        public SampleApi Api { get; }

        public TestApp App { get; }

        public static async Task<Scenario> StartAsync(bool withRole, string? scope = null, IDictionary<string, string?>? settings = null)
        {
            var tenant = new TestTenant();
            if (withRole)
            {
                tenant.Assign(tenant.UserAssignedObjectId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
            }

            var emulator = await tenant.StartAsync();
            var api = await SampleApi.StartAsync(emulator, tenant);
            var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
            if (scope is not null)
            {
                all["CustomApi__Scope"] = scope;
            }

            return new Scenario(tenant, emulator, api, await TestApp.StartAsync(tenant, all, emulator, api));
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Api.DisposeAsync();
            await Emulator.DisposeAsync();
        }
    }
}
