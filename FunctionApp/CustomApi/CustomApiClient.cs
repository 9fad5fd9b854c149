using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;
using FunctionApp.Identity;
using FunctionApp.Problems;
using Microsoft.Extensions.Options;

namespace FunctionApp.CustomApi;

/// <summary>
/// The typed client for the custom API: reads allow-listed resources with the app's token. Its HttpClient carries the
/// standard resilience handler (timeouts, retries, circuit breaker); a failure is raised as a
/// <see cref="DependencyException"/> (<see cref="CustomApiFailures"/> says which).
/// </summary>
public sealed class CustomApiClient(
    HttpClient http,
    TokenCredential credential,
    IOptions<CustomApiOptions> options,
    TokenTargets targets)
{
    /// <summary>GET api/{resource}, for a resource on the allow-list (<c>CustomApi__Resources</c>).</summary>
    public Task<JsonElement> GetAsync(string resource, CancellationToken cancellationToken)
    {
        if (targets.CustomApi is not { } target)
        {
            throw CustomApiFailures.NotConfigured(options.Value.Name);
        }

        // Only names on the allow-list reach the API: no paths, no traversal, no URLs.
        if (!options.Value.AllowList.Contains(resource, StringComparer.Ordinal))
        {
            throw CustomApiFailures.NotOnTheAllowList(options.Value.Name, options.Value.AllowList);
        }

        return GetJsonAsync(target, $"api/{resource}", resource, cancellationToken);
    }

    /// <summary>The probe's call: the API's health route, with the app's token attached like every call.</summary>
    public Task<JsonElement> GetHealthAsync(CancellationToken cancellationToken)
    {
        var target = targets.CustomApi ?? throw CustomApiFailures.NotConfigured(options.Value.Name);
        return GetJsonAsync(target, options.Value.HealthPath.TrimStart('/'), "health", cancellationToken);
    }

    private async Task<JsonElement> GetJsonAsync(
        TokenTarget target,
        string path,
        string name,
        CancellationToken cancellationToken)
    {
        // Relative, so it can only go to CustomApi__BaseUrl with the token it carries.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        // The token is got once per call, outside the resilience handler's attempts: its request has its own bound
        // (Identity__TokenTimeout), and it outlives any retry. Azure.Identity answers from its cache.
        var token = await credential.GetTokenAsync(new TokenRequestContext([target.Scope]), cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && CustomApiFailures.MapCustomApiFailure(e, target, options.Value) is { } failure)
        {
            throw failure;
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw CustomApiFailures.FromAnswer(target, name, response);
            }

            try
            {
                // BufferingHandler has read the body already; this only parses it.
                return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            }
            catch (JsonException notJson)
            {
                throw CustomApiFailures.Malformed(target, notJson);
            }
        }
    }
}
