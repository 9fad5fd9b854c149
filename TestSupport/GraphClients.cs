using Azure.Identity;
using IdentityEmulator;
using Microsoft.Graph;
using Microsoft.Kiota.Authentication.Azure;

namespace TestSupport;

public static class GraphClients
{
    public static readonly string[] Scopes = ["https://graph.microsoft.com/.default"];

    /// <summary>
    /// The real Graph SDK for a user-assigned identity of the test tenant. User-assigned identities with fresh client
    /// ids keep MSAL's process-wide token cache from handing one test's Graph token to another test's emulator.
    /// </summary>
    public static GraphServiceClient ForIdentity(EmulatorApp emulator, Guid clientId)
    {
        var credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId.ToString()));
        // The Graph SDK attaches tokens only to hosts it is told about (Microsoft's Graph hosts by default), so a
        // token never leaks to a URL that merely looks like Graph; the emulator's host must be listed.
        var authentication = new AzureIdentityAuthenticationProvider(credential, [emulator.GraphBaseUrl.Host], scopes: Scopes);
        return new GraphServiceClient(authentication, emulator.GraphBaseUrl.ToString());
    }
}
