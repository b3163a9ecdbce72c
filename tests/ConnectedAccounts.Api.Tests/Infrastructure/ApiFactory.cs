using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>
/// The real program over a fresh SQLite data folder, with bearer tokens signed by a key only this factory knows —
/// real JWTs through the real JwtBearer handler.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string Issuer = "connected-accounts-tests";
    public const string Audience = "connected-accounts";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), "ca-api-tests-" + Guid.NewGuid().ToString("N"));

    protected virtual string EnvironmentName => "Testing";

    /// <summary>False to drive the queues by hand with <see cref="QueueDrain"/>, deterministically.</summary>
    protected virtual bool RunBackgroundJobs => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Storage:DataPath", DataPath);
        builder.UseSetting("Auth:SigningKey", Convert.ToBase64String(_key));
        builder.UseSetting("Auth:Issuer", Issuer);
        builder.UseSetting("Auth:Audience", Audience);
        builder.UseSetting("Email:PickupDirectory", Path.Combine(DataPath, "mail"));
        builder.UseSetting("Functions:RunBackgroundJobs", RunBackgroundJobs ? "true" : "false");
    }

    /// <summary>A signed token for a user; the same e-mail gives the same user id.</summary>
    public string TokenFor(TestUser user, DateTimeOffset? expires = null, byte[]? signingKey = null, string? audience = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience ?? Audience,
            Expires = (expires ?? DateTimeOffset.UtcNow.AddHours(1)).UtcDateTime,
            NotBefore = DateTime.UtcNow.AddMinutes(-5),
            IssuedAt = DateTime.UtcNow.AddMinutes(-5),
            Subject = new ClaimsIdentity([new Claim("sub", user.Id), new Claim("email", user.Email), new Claim("name", user.Name)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey ?? _key), SecurityAlgorithms.HmacSha256),
        });

    public HttpClient ClientFor(TestUser user)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(user));
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a pool is left to the OS temp cleaner.
            }
        }
    }
}

/// <summary>A user with a unique id and e-mail, so every test owns its people.</summary>
public sealed record TestUser(string Id, string Email, string Name)
{
    public static TestUser New(string name = "user")
    {
        var unique = Guid.NewGuid().ToString("N")[..12];
        return new TestUser("usr-" + unique, $"{name}.{unique}@example.test", name);
    }
}
