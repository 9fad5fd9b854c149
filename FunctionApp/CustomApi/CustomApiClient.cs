using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace FunctionApp.CustomApi;

/// <summary>
/// The typed client for the custom API. Its HttpClient carries the resilience handler, the bearer handler and the
/// buffering handler; failures are thrown for the caller to map.
/// </summary>
public sealed class CustomApiClient(HttpClient http, IOptions<CustomApiOptions> options)
{
    /// <summary>GET api/{name} for a name on the allow-list; the caller checks the list.</summary>
    public Task<JsonElement> GetAsync(string name, CancellationToken cancellationToken) =>
        GetJsonAsync($"api/{name}", name, cancellationToken);

    /// <summary>The probe's call: the API's health route, with the app's token attached like every call.</summary>
    public Task<JsonElement> GetHealthAsync(CancellationToken cancellationToken) =>
        GetJsonAsync(options.Value.HealthPath.TrimStart('/'), "health", cancellationToken);

    private async Task<JsonElement> GetJsonAsync(string path, string name, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CustomApiException(name, response.StatusCode, response.ReasonPhrase, response.Headers.WwwAuthenticate.ToString());
        }

        // A body that is not JSON throws JsonException.
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }
}

/// <summary>The custom API answered a failure status; <see cref="Challenge"/> is its WWW-Authenticate header, if any.</summary>
public sealed class CustomApiException(string name, HttpStatusCode statusCode, string? reasonPhrase, string challenge)
    : Exception($"The custom API answered {(int)statusCode} {reasonPhrase} for '{name}'.")
{
    public string Name { get; } = name;

    public HttpStatusCode StatusCode { get; } = statusCode;

    public string? ReasonPhrase { get; } = reasonPhrase;

    public string Challenge { get; } = challenge;
}
