using System.Diagnostics;
using FunctionApp.Functions;
using IdentityEmulator;
using IdentityEmulator.Faults;
using Microsoft.Azure.Functions.Worker;
using TestSupport;
using Xunit.Abstractions;
using MicrosoftGraph = IdentityEmulator.Tenant.MicrosoftGraph;

namespace FunctionApp.Tests;

/// <summary>
/// Every outgoing dependency (identity endpoint, Graph, custom API) under every fault the emulator injects, through the
/// HTTP function that depends on it and through the probe timer: the outcome is success after retry or the documented
/// ProblemDetails status with an actionable detail, within the function's budget, without an unhandled exception and
/// without a token in any log line (TestApp checks every line when it is disposed). docs/reliability.md lists the
/// table with its observed outcomes.
/// </summary>
[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class FaultMatrixTests(ITestOutputHelper output)
{
    // Half of host.json's functionTimeout (2 minutes): an answer later than this is a hang, whatever its status.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    public enum Dependency
    {
        Identity,
        Graph,
        CustomApi,
    }

    /// <summary>
    /// One row: a fault on one dependency and what the function must answer (200: success after retry), with the
    /// problem's title and the part of its detail that does not depend on the run (client ids, the SDKs' own words).
    /// </summary>
    /// <remarks><see cref="RetryAfter"/> is the answer's Retry-After header: only a throttled or unavailable
    /// dependency's 503 has one.</remarks>
    public sealed record FaultCase(
        Dependency Dependency,
        string Fault,
        Func<FaultRule>? Rule,
        int Status,
        string Title = "",
        string DetailContains = "",
        string? RetryAfter = null)
    {
        public override string ToString() => $"{Dependency}: {Fault}";

        // Only a hang needs short timeouts to end quickly; every other row runs with the app's defaults, so the
        // retries (Graph SDK: 3 s and up, resilience pipeline: 2 s and up) fit as they do in production.
        public bool Hangs => Rule?.Invoke().LatencyMs > 0;

        // Refusal and a hang meet every request. A burst of several faults outside the identity endpoint is shared:
        // each caller meets part of it and must still end as documented. A single fault, or any identity fault (the
        // credential serialises token requests, so the second caller would find the first one's token), is armed again
        // for the timer.
        public bool BothCallersAtOnce => Rule is null || Hangs || (Dependency != Dependency.Identity && Rule().Sequence.Count > 1);
    }

    private static FaultRule Steps(params FaultStep[] steps) => new() { Endpoint = "", Sequence = steps };

    private static FaultStep Status(int status, int? retryAfterSeconds = null) => new() { Status = status, RetryAfterSeconds = retryAfterSeconds };

    private const string NoToken = "No token available";
    private const string NotATokenResponse = "could not get a token for https://graph.microsoft.com/.default: the identity endpoint answered 200 with a body " +
        "that is not a token response. Try again; if it persists, check that IDENTITY_ENDPOINT points at the identity endpoint.";
    private const string GraphMalformed = "Microsoft Graph answered malformed JSON";
    private const string GraphNotJson = "Microsoft Graph answered with a body that is not JSON the SDK can read; try again, and check Graph__BaseUrl if it persists.";

    // A null rule means the dependency's address refuses connections.
    public static readonly IReadOnlyList<FaultCase> Cases =
    [
        new(Dependency.Identity, "500 burst", () => Steps(Status(500), Status(500)), 200),
        new(Dependency.Identity, "503 burst", () => Steps(Status(503), Status(503)), 200),
        new(Dependency.Identity, "429 with Retry-After", () => Steps(Status(429, 1)), 200),
        new(Dependency.Identity, "connection refused", null, 503, NoToken, "could not get a token for https://graph.microsoft.com/.default: "),
        new(Dependency.Identity, "dropped mid-response", () => Steps(new FaultStep { Fault = FaultKind.Drop }), 200),
        new(Dependency.Identity, "hang past the timeout", () => new FaultRule { Endpoint = "", LatencyMs = 60_000 }, 503, NoToken,
            "could not get a token for https://graph.microsoft.com/.default: No token for https://graph.microsoft.com/.default within 5 s (Identity__TokenTimeout): the identity endpoint did not answer in time."),
        new(Dependency.Identity, "malformed JSON", () => Steps(new FaultStep { Fault = FaultKind.MalformedJson }), 503, NoToken, NotATokenResponse),
        new(Dependency.Identity, "oversized body", () => Steps(new FaultStep { Fault = FaultKind.OversizedBody }), 503, NoToken, NotATokenResponse),
        new(Dependency.Identity, "no access_token", () => Steps(new FaultStep { Fault = FaultKind.MissingAccessToken }), 503, NoToken, "could not get a token for https://graph.microsoft.com/.default: ManagedIdentityCredential authentication failed"),

        new(Dependency.Graph, "500 burst", () => Steps(Status(500), Status(500)), 502, "Microsoft Graph failed", "Microsoft Graph answered 500 (generalException): Injected fault: status 500."),
        new(Dependency.Graph, "503 burst", () => Steps(Status(503), Status(503)), 200),
        new(Dependency.Graph, "429 with Retry-After", () => Steps(Status(429, 1)), 200),
        new(Dependency.Graph, "connection refused", null, 502, "Microsoft Graph unreachable", "Microsoft Graph could not be reached: Connection refused"),
        new(Dependency.Graph, "dropped mid-response", () => Steps(new FaultStep { Fault = FaultKind.Drop }), 502, "Microsoft Graph unreachable", "Microsoft Graph could not be reached: "),
        new(Dependency.Graph, "hang past the timeout", () => new FaultRule { Endpoint = "", LatencyMs = 60_000 }, 504, "Microsoft Graph timed out", "Microsoft Graph did not answer within 3 s (Graph__TimeoutSeconds)."),
        new(Dependency.Graph, "malformed JSON", () => Steps(new FaultStep { Fault = FaultKind.MalformedJson }), 502, GraphMalformed, GraphNotJson),
        new(Dependency.Graph, "oversized body", () => Steps(new FaultStep { Fault = FaultKind.OversizedBody }), 502, GraphMalformed, GraphNotJson),
        new(Dependency.Graph, "401", () => Steps(Status(401)), 502, "Microsoft Graph rejected the token",
            "Microsoft Graph answered 401 (InvalidAuthenticationToken: Injected fault: status 401.); the app requests https://graph.microsoft.com/.default, " +
            "check Graph__Scope and that the token's tenant is the one Graph belongs to."),
        // Sustained: the HTTP call and the timer share the burst, 4 answers each (the request and the Graph SDK's 3
        // retries; Retry-After: 1 keeps the rows fast). One more request would find Graph healthy and end in a 200.
        // The caller is told to come back when Graph said; a gateway timeout says nothing about when, so no header.
        new(Dependency.Graph, "sustained 429", () => Steps([.. Enumerable.Repeat(Status(429, 1), 8)]), 503, "Microsoft Graph is throttling",
            "Microsoft Graph still answered 429 after the SDK's 3 retries; try again in 1 s (Retry-After).", RetryAfter: "1"),
        new(Dependency.Graph, "sustained 503", () => Steps([.. Enumerable.Repeat(Status(503, 1), 8)]), 503, "Microsoft Graph is unavailable",
            "Microsoft Graph still answered 503 after the SDK's 3 retries; try again in 1 s (Retry-After).", RetryAfter: "1"),
        new(Dependency.Graph, "sustained 504", () => Steps([.. Enumerable.Repeat(Status(504, 0), 8)]), 502, "Microsoft Graph is unavailable",
            "Microsoft Graph still answered 504 after the SDK's 3 retries; try again later."),
        // Waiting 60 s would outlast Graph__TimeoutSeconds (45 s): the SDK hands the 429 back at once, and the answer
        // is throttling, not a timeout.
        new(Dependency.Graph, "Retry-After longer than Graph__TimeoutSeconds", () => Steps(Status(429, 60)), 503, "Microsoft Graph is throttling",
            "Microsoft Graph answered 429 and asked for a longer wait than Graph__TimeoutSeconds leaves; try again in 60 s (Retry-After).",
            RetryAfter: "60"),

        new(Dependency.CustomApi, "500 burst", () => Steps(Status(500), Status(500)), 200),
        new(Dependency.CustomApi, "503 burst", () => Steps(Status(503), Status(503)), 200),
        new(Dependency.CustomApi, "429 with Retry-After", () => Steps(Status(429, 1)), 200),
        new(Dependency.CustomApi, "connection refused", null, 502, "The custom API is unreachable", "The custom API could not be reached: Connection refused"),
        new(Dependency.CustomApi, "dropped mid-response", () => Steps(new FaultStep { Fault = FaultKind.Drop }), 200),
        new(Dependency.CustomApi, "hang past the timeout", () => new FaultRule { Endpoint = "", LatencyMs = 60_000 }, 504, "The custom API timed out",
            "The custom API did not answer within 1 s per attempt and 3 s in all (CustomApi__AttemptTimeoutSeconds, CustomApi__TotalTimeoutSeconds)."),
        new(Dependency.CustomApi, "malformed JSON", () => Steps(new FaultStep { Fault = FaultKind.MalformedJson }), 502, "Custom API answered malformed JSON",
            "The custom API answered 200 with a body that is not JSON."),
        new(Dependency.CustomApi, "oversized body", () => Steps(new FaultStep { Fault = FaultKind.OversizedBody }), 502, "The custom API answered too much",
            "The custom API answered with a body over 1024 KB, more than this client reads; its answers are expected to be small JSON documents."),
        // Answers no retry changes. The timer asks for the health route, so its 404 names that.
        new(Dependency.CustomApi, "400", () => Steps(Status(400)), 502, "The custom API failed", "The custom API answered 400 Bad Request after the retries allowed for this call."),
        new(Dependency.CustomApi, "401 without WWW-Authenticate", () => Steps(Status(401)), 502, "The custom API rejected the token",
            "/.default, the API expects something else (no WWW-Authenticate header). Check CustomApi__Scope against the API's Application ID URI and tenant."),
        new(Dependency.CustomApi, "403", () => Steps(Status(403)), 502, "The custom API refused the request",
            "The token has no role Api.Read: assign it to the identity (infra/main.bicep (the custom API's app-role assignment) or infra/scripts); tokens issued " +
            "before that lack it until they expire (up to 24 hours: the platform caches them, restarting the app does not renew them)."),
        new(Dependency.CustomApi, "404", () => Steps(Status(404)), 404, "Not found", "The custom API has no '"),
        // Retried as Retry-After says (the resilience handler: a request and 3 retries each, shared by both callers);
        // still throttled afterwards, the API's own Retry-After is passed on.
        new(Dependency.CustomApi, "sustained 429", () => Steps([.. Enumerable.Repeat(Status(429, 1), 8)]), 503, "The custom API failed",
            "The custom API answered 429 Too Many Requests after the retries allowed for this call; try again in 1 s (Retry-After).",
            RetryAfter: "1"),
    ];

    public static TheoryData<string> CaseNames => [.. Cases.Select(c => c.ToString())];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Dependency_UnderFault_HttpFunctionAndProbeTimerEndAsDocumented(string name)
    {
        var row = Cases.Single(c => c.ToString() == name);
        await using var scenario = await Scenario.StartAsync(row);
        var timerScenario = scenario;
        await using var ownTimerScenario = row is { Dependency: Dependency.Identity, Status: 200 } ? new ScenarioSlot() : null;

        var http = TimedAsync(() => row.Dependency == Dependency.CustomApi
            ? scenario.App.InvokeAsync(scenario.App.Function<GetCustomResource>().Run, "orders")
            : scenario.App.InvokeAsync(scenario.App.Function<GetGraphUsers>().Run, "?top=2"));
        if (ownTimerScenario is not null)
        {
            // The credential keeps the token the HTTP call finally got, so the timer meets the fault in a scenario of
            // its own, started once this one has stopped (both set the process's identity environment).
            await http;
            // Each fault of the sequence cost one request, then one more got the token.
            Assert.Equal(row.Rule!().Sequence.Count + 1, scenario.App.Emulator.RequestCount("managedIdentity", "https://graph.microsoft.com"));
            await scenario.DisposeAsync();
            timerScenario = ownTimerScenario.Scenario = await Scenario.StartAsync(row);
        }
        else if (!row.BothCallersAtOnce)
        {
            await http;
            scenario.ArmFault();
        }

        var probe = TimedAsync(async () =>
        {
            await timerScenario.App.Function<ProbeTargets>().Run(new TimerInfo(), CancellationToken.None);
            return true;
        });
        var (answer, httpTime) = await http;
        var (_, probeTime) = await probe;

        // docs/reliability.md's "observed" column comes from these lines (dotnet test --logger "console;verbosity=detailed").
        output.WriteLine($"observed: {answer.Status} in {httpTime.TotalSeconds:0.0} s {answer.Detail}");
        Assert.True(httpTime < Budget, $"answered after {httpTime}");
        Assert.True(row.Status == answer.Status, $"expected {row.Status}, got {answer.Status}: {answer.Body}");
        if (row.Status != 200)
        {
            Assert.Equal("application/problem+json", answer.ContentType);
            Assert.Equal(row.Title, answer.Json.GetProperty("title").GetString());
            Assert.Contains(row.DetailContains, answer.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(row.RetryAfter, answer.RetryAfter);

        // An unmapped exception would have escaped Run and failed the test before this point.
        Assert.False(answer.HasToken);

        var logs = timerScenario.App.Logs;
        var target = row.Dependency == Dependency.CustomApi ? "protected-api" : "graph";
        var result = Assert.Single(logs.WithEventId(4000).Concat(logs.WithEventId(4001)), l => Equals(l.State.Single(kv => kv.Key == "Target").Value, target));
        output.WriteLine($"observed: event {result.EventId} in {probeTime.TotalSeconds:0.0} s {result.Text}");
        Assert.True(probeTime < Budget, $"finished after {probeTime}");
        Assert.True(result.EventId == (row.Status == 200 ? 4000 : 4001), result.Text);
        if (row.Status != 200)
        {
            Assert.Contains($" failed: {row.Title}: ", result.Text, StringComparison.Ordinal);
            Assert.Contains(logs.WithEventId(2000), l => l.Text == $"Call to {target} failed: {row.Title}: {answer.Detail}");
            Assert.Contains(row.DetailContains, result.Text, StringComparison.Ordinal);
        }

        Assert.Single(logs.WithEventId(4003));
    }

    private static async Task<(T Result, TimeSpan Elapsed)> TimedAsync<T>(Func<Task<T>> action)
    {
        var clock = Stopwatch.StartNew();
        var result = await action();
        return (result, clock.Elapsed);
    }

    /// <summary>Emulator, sample API (for custom-API rows) and app; the fault is armed once everything has started.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private readonly EmulatorApp _emulator;
        private readonly SampleApi? _api;

        private readonly FaultCase _row;
        private bool _disposed;

        private Scenario(FaultCase row, EmulatorApp emulator, SampleApi? api, TestApp app)
        {
            _row = row;
            _emulator = emulator;
            _api = api;
            App = app;
        }

        public TestApp App { get; }

        public static async Task<Scenario> StartAsync(FaultCase row)
        {
            var tenant = new TestTenant().AssignGraphToUserAssigned(MicrosoftGraph.UserReadAll.Id);
            tenant.Assign(tenant.UserAssignedObjectId, tenant.ApiServicePrincipalId, tenant.ApiReadRoleId);
            var emulator = await tenant.StartAsync();
            var settings = new Dictionary<string, string?>();
            if (row.Hangs)
            {
                settings["Identity__TokenTimeout"] = "00:00:05";
                if (row.Dependency != Dependency.Identity)
                {
                    settings["Graph__TimeoutSeconds"] = "3";
                }

                settings["CustomApi__AttemptTimeoutSeconds"] = "1";
                settings["CustomApi__TotalTimeoutSeconds"] = "3";
            }

            SampleApi? api = null;
            if (row.Dependency == Dependency.CustomApi)
            {
                api = await SampleApi.StartAsync(emulator, tenant);
            }

            // Nothing listens on port 1.
            if (row is { Dependency: Dependency.CustomApi, Rule: null })
            {
                settings["CustomApi__BaseUrl"] = "http://127.0.0.1:1/";
            }

            if (row is { Dependency: Dependency.Graph, Rule: null })
            {
                settings["Graph__BaseUrl"] = "http://127.0.0.1:1/v1.0";
            }

            var app = await TestApp.StartAsync(tenant, settings, emulator, api);
            var scenario = new Scenario(row, emulator, api, app);
            if (row is { Dependency: Dependency.Identity, Rule: null })
            {
                // Nothing listens on port 1; TestApp restores the variable when it is disposed.
                Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi/token");
            }

            scenario.ArmFault();
            return scenario;
        }

        public void ArmFault()
        {
            switch (_row)
            {
                case { Dependency: Dependency.Identity, Rule: { } rule }:
                    _emulator.AddFault(rule() with { Endpoint = "managedIdentity" });
                    break;
                case { Dependency: Dependency.Graph, Rule: { } rule }:
                    _emulator.AddFault(rule() with { Endpoint = "graph" });
                    break;
                case { Dependency: Dependency.CustomApi, Rule: { } rule }:
                    _api!.Faults.Add(rule());
                    break;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await App.DisposeAsync();
            if (_api is not null)
            {
                await _api.DisposeAsync();
            }

            await _emulator.DisposeAsync();
        }
    }

    /// <summary>Disposes the scenario it is given, if any.</summary>
    private sealed class ScenarioSlot : IAsyncDisposable
    {
        public Scenario? Scenario { get; set; }

        public ValueTask DisposeAsync() => Scenario?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
