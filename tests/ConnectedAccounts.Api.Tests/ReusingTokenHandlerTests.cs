using System.Security.Cryptography;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace ConnectedAccounts.Api.Tests;

/// <summary>The reuse of validated bearer tokens: the same text only, within the token's life and five minutes.</summary>
public sealed class ReusingTokenHandlerTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void The_api_validates_bearer_tokens_with_it_alone()
    {
        var options = factory.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);

        Assert.IsType<ReusingTokenHandler>(Assert.Single(options.TokenHandlers));
    }

    [Fact]
    public async Task The_same_token_is_validated_once_and_its_result_reused()
    {
        var handler = new ReusingTokenHandler(_clock);
        var token = factory.TokenFor(TestUser.New("alice"), signingKey: _key);

        var first = await handler.ValidateTokenAsync(token, Parameters());
        var second = await handler.ValidateTokenAsync(token, Parameters());

        Assert.True(first.IsValid);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task A_token_differing_in_one_character_is_validated_in_full_and_refused()
    {
        var handler = new ReusingTokenHandler(_clock);
        var token = factory.TokenFor(TestUser.New("alice"), signingKey: _key);
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);

        var tampered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        Assert.False((await handler.ValidateTokenAsync(tampered, Parameters())).IsValid);
    }

    [Fact]
    public async Task A_refused_token_is_not_remembered()
    {
        var handler = new ReusingTokenHandler(_clock);
        var token = factory.TokenFor(TestUser.New("alice"), signingKey: RandomNumberGenerator.GetBytes(32));

        var first = await handler.ValidateTokenAsync(token, Parameters());
        var second = await handler.ValidateTokenAsync(token, Parameters());

        Assert.False(first.IsValid);
        Assert.NotSame(first, second);
    }

    [Fact]
    public async Task A_result_is_reused_for_five_minutes_at_most()
    {
        var handler = new ReusingTokenHandler(_clock);
        var token = factory.TokenFor(TestUser.New("alice"), expires: DateTimeOffset.UtcNow.AddHours(1), signingKey: _key);
        var first = await handler.ValidateTokenAsync(token, Parameters());

        _clock.Advance(ReusingTokenHandler.MaxReuse - TimeSpan.FromSeconds(1));
        Assert.Same(first, await handler.ValidateTokenAsync(token, Parameters()));

        _clock.Advance(TimeSpan.FromSeconds(2));
        var again = await handler.ValidateTokenAsync(token, Parameters());
        Assert.NotSame(first, again);
        Assert.True(again.IsValid);
    }

    [Fact]
    public async Task A_result_is_not_reused_once_the_token_has_expired()
    {
        var handler = new ReusingTokenHandler(_clock);
        var token = factory.TokenFor(TestUser.New("alice"), expires: DateTimeOffset.UtcNow.AddMinutes(2), signingKey: _key);
        var first = await handler.ValidateTokenAsync(token, Parameters());

        _clock.Advance(TimeSpan.FromMinutes(3));

        Assert.NotSame(first, await handler.ValidateTokenAsync(token, Parameters()));
    }

    private TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = ApiFactory.Issuer,
        ValidAudience = ApiFactory.Audience,
        IssuerSigningKey = new SymmetricSecurityKey(_key),
        ClockSkew = TimeSpan.Zero,
    };
}
