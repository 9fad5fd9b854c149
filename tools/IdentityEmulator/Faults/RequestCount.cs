namespace IdentityEmulator.Faults;

/// <summary>One counter: requests an endpoint received for a resource (token requests) or a path (Graph).</summary>
public sealed record RequestCount(string Endpoint, string Resource, long Count);
