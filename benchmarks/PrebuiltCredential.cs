using Azure.Core;
using FunctionApp.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Benchmarks;

/// <summary>A credential that returns the same token every time: the cheapest possible GetTokenAsync, the baseline's floor.</summary>
internal sealed class PrebuiltCredential(AccessToken token) : TokenCredential
{
    /// <summary>The app's token cache, as it registers it, over a credential that always returns this token.</summary>
    public static CachingTokenCredential Cached(AccessToken token) =>
        new(new PrebuiltCredential(token), TimeProvider.System, NullLogger<CachingTokenCredential>.Instance, TimeSpan.FromMinutes(5));

    public static AccessToken DayLongToken() =>
        new("header.payload.signature", DateTimeOffset.UtcNow.AddHours(24), DateTimeOffset.UtcNow.AddHours(12));

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => token;

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token);
}
