using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectedAccounts.Functions.Identity;

public static class IdentitySetup
{
    public const string ApiPolicy = "api";

    public static IHostApplicationBuilder AddIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration("Auth").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<UserRecorder>();
        builder.Services.AddSingleton<DevSigningKey>();
        builder.Services.AddSingleton<ReusingTokenHandler>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, DevSigningKey, ReusingTokenHandler>((jwt, auth, devKey, tokens) =>
            {
                var o = auth.Value;
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(tokens);
                jwt.MapInboundClaims = false;
                jwt.Authority = o.Authority;
                jwt.Audience = o.Audience;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidIssuer = o.Authority is null ? o.Issuer : null,
                    ValidateAudience = true,
                    ValidAudience = o.Audience,
                    ValidateLifetime = true,
                    RequireSignedTokens = true,
                    ClockSkew = TimeSpan.FromMinutes(1),
                    NameClaimType = "name",
                };
                if (o.Authority is null)
                {
                    jwt.TokenValidationParameters.IssuerSigningKey = devKey.Key;
                }

                jwt.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        await Problems.Create(StatusCodes.Status401Unauthorized, "unauthenticated", "Unauthenticated", "Send a valid bearer token.")
                            .ExecuteAsync(context.HttpContext);
                    },
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, p => p.RequireAuthenticatedUser().RequireClaim("sub"));
        return builder;
    }

    /// <summary>Puts the authenticated user on the request and records them; 401 when the token has no usable subject.</summary>
    public static RouteGroupBuilder RequireApiUser(this RouteGroupBuilder group)
    {
        group.RequireAuthorization(ApiPolicy);
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (CurrentUser.From(http.User) is not { } user)
            {
                return Problems.Create(StatusCodes.Status401Unauthorized, "unauthenticated", "Unauthenticated", "The token has no usable subject.");
            }

            http.Items[typeof(CurrentUser)] = user;
            await http.RequestServices.GetRequiredService<UserRecorder>().RecordAsync(user, http.RequestAborted);
            return await next(context);
        });
        return group;
    }

    public static IEndpointRouteBuilder MapDevTokens(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value;
        var environment = app.ServiceProvider.GetRequiredService<IHostEnvironment>();
        if (options.DevTokensServed(environment))
        {
            app.MapPost("/api/dev/tokens", IssueDevToken).WithTags("Development").AllowAnonymous();
        }

        return app;
    }

    public sealed record DevTokenRequest(string? Email, string? Name);

    public sealed record DevTokenResponse(string Token, string UserId);

    public static Results<Ok<DevTokenResponse>, ProblemHttpResult> IssueDevToken(
        DevTokenRequest request, IOptions<AuthOptions> auth, DevSigningKey key, TimeProvider time)
    {
        var validation = new Validation();
        var email = validation.Email("email", request.Email);
        var name = validation.Optional("name", request.Name, Domain.Accounts.Account.MaxNameLength);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var userId = DevUserId(email!);
        var now = time.GetUtcNow();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Value.Issuer,
            Audience = auth.Value.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(auth.Value.DevTokenLifetimeMinutes).UtcDateTime,
            Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("email", email!), new Claim("name", string.IsNullOrEmpty(name) ? email! : name)]),
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
        });
        return TypedResults.Ok(new DevTokenResponse(token, userId));
    }

    /// <summary>The same e-mail always gets the same user id, so a developer can sign in again as the same person.</summary>
    public static string DevUserId(string email) =>
        "usr" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.ToUpperInvariant())))[..24];
}

/// <summary>
/// The symmetric key for locally issued tokens: from <c>Auth:SigningKey</c>, or else generated once and kept in
/// the data folder so tokens stay valid across restarts of a developer's service.
/// </summary>
public sealed class DevSigningKey(IOptions<AuthOptions> auth, IOptions<StorageOptions> storage)
{
    private readonly Lazy<SymmetricSecurityKey> _key = new(() => Load(auth.Value, storage.Value));

    public SymmetricSecurityKey Key => _key.Value;

    private static SymmetricSecurityKey Load(AuthOptions auth, StorageOptions storage)
    {
        if (auth.SigningKey is { Length: > 0 } configured)
        {
            var bytes = Convert.FromBase64String(configured);
            return bytes.Length >= 32 ? new SymmetricSecurityKey(bytes) : throw new InvalidOperationException("Auth:SigningKey must be at least 256 bits.");
        }

        Directory.CreateDirectory(storage.DataPath);
        var path = Path.Combine(storage.DataPath, "dev-signing-key");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(path).Trim()));
    }
}
