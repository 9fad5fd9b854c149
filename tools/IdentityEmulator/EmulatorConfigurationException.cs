namespace IdentityEmulator;

/// <summary>An option that cannot work; the message says which and why.</summary>
public sealed class EmulatorConfigurationException(string message) : Exception(message);
