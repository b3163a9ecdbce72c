using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectedAccounts.Host.Tests.Worker;

/// <summary>
/// Bearer tokens a worker started with <see cref="Settings"/> accepts: HS256 with a key made for this instance, as
/// the app validates tokens when <c>Auth:SigningKey</c> is set. The same address always gets the same user id.
/// </summary>
public sealed class WorkerTokens
{
    private const string Issuer = "connected-accounts-host-tests";
    private const string Audience = "connected-accounts";

    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>The worker's environment variables for this key, issuer and audience.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth__SigningKey"] = Convert.ToBase64String(_signingKey),
        ["Auth__Issuer"] = Issuer,
        ["Auth__Audience"] = Audience,
    };

    public string For(string email, string name) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Expires = DateTime.UtcNow.AddHours(1),
        Subject = new ClaimsIdentity([new Claim("sub", "usr-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)))[..16]), new Claim("email", email), new Claim("name", name)]),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(_signingKey), SecurityAlgorithms.HmacSha256),
    });
}
