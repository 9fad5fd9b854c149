namespace FunctionsHostHarness;

/// <summary>
/// The worker failed a step of the protocol, or its process ended; the message carries what it wrote.
/// </summary>
public sealed class WorkerProcessException(string message) : Exception(message);
