namespace FunctionsHostHarness;

/// <summary>Time from the worker's launch to its StartStream and to its last function load.</summary>
public sealed record StartupTimes(TimeSpan Connected, TimeSpan Loaded);
