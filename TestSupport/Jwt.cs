using Microsoft.IdentityModel.JsonWebTokens;

namespace TestSupport;

public static class Jwt
{
    public static JsonWebToken Read(string token) => new(token);

    public static IReadOnlyList<string> Roles(JsonWebToken token) =>
        [.. token.Claims.Where(c => c.Type == "roles").Select(c => c.Value)];
}
