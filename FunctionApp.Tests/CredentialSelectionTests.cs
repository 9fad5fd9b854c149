using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace FunctionApp.Tests;

/// <summary>
/// The identity is chosen by Identity__* settings only. These tests request the tenant's own API (a fresh App ID URI
/// per test), so MSAL's process-wide cache cannot hand them another test's token.
/// </summary>
[Collection(nameof(ManagedIdentityEnvironmentDefinition))]
public sealed class CredentialSelectionTests
{
    [Theory]
    [InlineData("ManagedIdentity")]
    [InlineData("DefaultAzureCredential")]
    public async Task Credential_WithStrayAzureClientId_StillUsesTheSystemAssignedIdentity(string credential)
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant, new Dictionary<string, string?>
        {
            ["Identity__Credential"] = credential,
            ["Identity__UserAssignedClientId"] = "",
        });
        // What a leftover app setting or a developer's shell might hold: the user-assigned identity's client id.
        Environment.SetEnvironmentVariable("AZURE_CLIENT_ID", tenant.UserAssignedClientId.ToString());

        var token = await app.Services.GetRequiredService<TokenCredential>()
            .GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None);

        Assert.Equal(tenant.SystemObjectId.ToString(), Jwt.Read(token.Token).GetClaim("oid").Value);
    }

    [Fact]
    public async Task Credential_WithUserAssignedClientIdSetting_UsesThatIdentity()
    {
        var tenant = new TestTenant();
        await using var app = await TestApp.StartAsync(tenant);

        var token = await app.Services.GetRequiredService<TokenCredential>()
            .GetTokenAsync(new TokenRequestContext([tenant.ApiAppIdUri + "/.default"]), CancellationToken.None);

        Assert.Equal(tenant.UserAssignedObjectId.ToString(), Jwt.Read(token.Token).GetClaim("oid").Value);
        Assert.Contains(app.Logs.WithEventId(1000), l => l.Text.Contains("ManagedIdentityCredential (user-assigned", StringComparison.Ordinal));
    }
}
