using System.Net.Http.Json;
using System.Text.Json;
using IdentityEmulator;

namespace TestSupport;

/// <summary>Raw HTTP against the emulator, for protocol-level assertions that the SDKs would hide.</summary>
public static class EmulatorHttp
{
    public static readonly HttpClient Client = new();

    public static Task<HttpResponseMessage> AppServiceTokenAsync(EmulatorApp emulator, string resource, string? header = "", string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{emulator.IdentityEndpoint}?api-version=2019-08-01&resource={Uri.EscapeDataString(resource)}{query}");
        if (header is not null)
        {
            request.Headers.Add("X-IDENTITY-HEADER", header.Length == 0 ? emulator.IdentityHeader : header);
        }

        return Client.SendAsync(request);
    }

    /// <summary>An access token from the App Service protocol, as the platform would hand it to the app.</summary>
    public static async Task<string> TokenAsync(EmulatorApp emulator, string resource, string query = "")
    {
        using var response = await AppServiceTokenAsync(emulator, resource, query: query);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();
}
