namespace FunctionApp.Tests;

/// <summary>Tests that set the process's managed-identity environment variables (TestSupport.ManagedIdentityEnvironment) never run in parallel.</summary>
[CollectionDefinition(nameof(ManagedIdentityEnvironmentDefinition), DisableParallelization = true)]
public sealed class ManagedIdentityEnvironmentDefinition;
