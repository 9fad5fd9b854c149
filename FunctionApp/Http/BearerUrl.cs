namespace FunctionApp.Http;

/// <summary>
/// Where the app may send its bearer token: https anywhere, plain http only to loopback (the local emulator and API).
/// </summary>
public static class BearerUrl
{
    public static bool IsAllowed(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);
}
