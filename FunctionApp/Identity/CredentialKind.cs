namespace FunctionApp.Identity;

/// <summary>Which Azure.Identity credential the app builds (app setting <c>Identity__Credential</c>).</summary>
public enum CredentialKind
{
    /// <summary>The app's managed identity: the identity endpoint App Service and Functions provide.</summary>
    ManagedIdentity,

    /// <summary>Whatever a developer machine offers, for local runs; AZURE_TOKEN_CREDENTIALS may narrow it.</summary>
    DefaultAzureCredential,
}
