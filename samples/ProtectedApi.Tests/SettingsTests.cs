using Microsoft.Extensions.Options;

namespace ProtectedApi.Tests;

public sealed class SettingsTests
{
    [Theory]
    [InlineData("common", "3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64", "", "EntraApi__TenantId 'common' is not a GUID")]
    [InlineData("7c2e5a1d-3b8f-4e6a-9d21-5f0c8b7a4e13", "my-api", "", "EntraApi__ClientId 'my-api' is not a GUID")]
    [InlineData("7c2e5a1d-3b8f-4e6a-9d21-5f0c8b7a4e13", "3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64", "http://login.example.com/metadata", "EntraApi__MetadataAddress")]
    public async Task Start_WithUnsafeOrMissingSetting_FailsNamingIt(string tenantId, string clientId, string metadata, string expected)
    {
        await using var app = ProtectedApiApplication.Create(
        [
            "--urls", "http://127.0.0.1:0",
            $"--EntraApi:TenantId={tenantId}",
            $"--EntraApi:ClientId={clientId}",
            $"--EntraApi:MetadataAddress={metadata}",
        ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
