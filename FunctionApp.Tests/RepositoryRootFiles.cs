namespace FunctionApp.Tests;

/// <summary>Tests that create or delete local.settings.json at the repository root, one at a time.</summary>
[CollectionDefinition(nameof(RepositoryRootFiles))]
public sealed class RepositoryRootFiles;
