namespace IdentityEmulator.Faults;

/// <summary>The fault an endpoint applies to one request: a delay, then optionally a scripted answer.</summary>
internal readonly record struct FaultDecision(TimeSpan Delay, FaultStep? Step);

/// <summary>
/// Holds the active fault rules and hands out each scripted step exactly once, across concurrent requests.
/// </summary>
internal sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<ActiveRule> _rules = [];

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_lock)
            {
                return [.. _rules.Select(r => r.Rule with { Sequence = r.Remaining.ToList() })];
            }
        }
    }

    public static string? Validate(FaultRule rule)
    {
        if (!EndpointNames.All.Contains(rule.Endpoint))
        {
            return $"endpoint '{rule.Endpoint}' is not one of {string.Join(", ", EndpointNames.All)}";
        }

        if (rule.FailureRate is < 0 or > 1)
        {
            return "failureRate must be between 0 and 1";
        }

        if (rule.LatencyMs < 0 || rule.Sequence.Any(s => s.DelayMs < 0))
        {
            return "latencyMs and delayMs must not be negative";
        }

        var badStatus = rule.Sequence
            .Where(s => s.Fault == FaultKind.Status)
            .Select(s => s.Status)
            .Append(rule.FailureStatus)
            .FirstOrDefault(s => s is < 400 or > 599);
        return badStatus == 0 ? null : $"status {badStatus} is not an HTTP error status (400-599)";
    }

    public void Add(FaultRule rule)
    {
        lock (_lock)
        {
            _rules.Add(new ActiveRule(rule));
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }
    }

    public FaultDecision Next(string endpoint, string? resource)
    {
        lock (_lock)
        {
            var delay = TimeSpan.Zero;
            FaultStep? step = null;
            foreach (var active in _rules)
            {
                if (!active.Matches(endpoint, resource))
                {
                    continue;
                }

                delay += TimeSpan.FromMilliseconds(active.Rule.LatencyMs);
                if (step is null && active.Remaining.TryDequeue(out var scripted))
                {
                    step = scripted;
                    delay += TimeSpan.FromMilliseconds(scripted.DelayMs);
                }
                else if (step is null
                    && active.Rule.FailureRate > 0
                    && Random.Shared.NextDouble() < active.Rule.FailureRate)
                {
                    step = new FaultStep { Fault = FaultKind.Status, Status = active.Rule.FailureStatus };
                }
            }

            return new FaultDecision(delay, step is { Fault: FaultKind.Pass } ? null : step);
        }
    }

    private sealed class ActiveRule(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;

        public Queue<FaultStep> Remaining { get; } = new(rule.Sequence);

        public bool Matches(string endpoint, string? resource)
        {
            if (!string.Equals(Rule.Endpoint, endpoint, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (Rule.Resource is null)
            {
                return true;
            }

            if (resource is null)
            {
                return false;
            }

            // A Graph rule names a path prefix, so that one rule covers a collection and its items.
            return string.Equals(Rule.Resource, resource, StringComparison.OrdinalIgnoreCase)
                || (endpoint == EndpointNames.Graph
                    && resource.StartsWith(Rule.Resource, StringComparison.OrdinalIgnoreCase));
        }
    }
}

/// <summary>The names under which endpoints are counted and faulted.</summary>
internal static class EndpointNames
{
    public const string ManagedIdentity = "managedIdentity";
    public const string Imds = "imds";
    public const string Graph = "graph";
    public const string Metadata = "metadata";
    public const string Entra = "entra";

    public static readonly IReadOnlySet<string> All =
        new HashSet<string>([ManagedIdentity, Imds, Graph, Metadata, Entra], StringComparer.OrdinalIgnoreCase);
}
