using Azure.Core;

namespace Benchmarks;

/// <summary>A credential that returns the same token every time: the cheapest possible GetTokenAsync, the baseline's floor.</summary>
internal sealed class PrebuiltCredential(AccessToken token) : TokenCredential
{
    public static AccessToken DayLongToken() =>
        new("header.payload.signature", DateTimeOffset.UtcNow.AddHours(24), DateTimeOffset.UtcNow.AddHours(12));

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => token;

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token);
}
