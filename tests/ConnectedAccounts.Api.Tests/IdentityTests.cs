using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class IdentityTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Without_a_token_every_api_route_answers_401_problem()
    {
        var anonymous = factory.CreateClient();

        await anonymous.GetAsync("/api/accounts").ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await anonymous.PostJsonAsync("/api/accounts", new { name = "x", kind = "agency" }).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await anonymous.GetAsync($"/api/accounts/{Seed.Nonexistent("acc")}/reports").ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await anonymous.GetAsync($"/api/connections/{Seed.Nonexistent("con")}").ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var user = TestUser.New("alice");

        await WithToken(factory.TokenFor(user, expires: DateTimeOffset.UtcNow.AddMinutes(-3))).GetAsync("/api/accounts")
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var user = TestUser.New("alice");

        await WithToken(factory.TokenFor(user, signingKey: RandomNumberGenerator.GetBytes(32))).GetAsync("/api/accounts")
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        var user = TestUser.New("alice");

        await WithToken(factory.TokenFor(user, audience: "someone-else")).GetAsync("/api/accounts")
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_token_that_is_not_a_jwt_is_refused()
    {
        await WithToken("not.a.jwt").GetAsync("/api/accounts").ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_refused_token_changes_nothing()
    {
        var user = TestUser.New("alice");
        var alice = factory.ClientFor(user);
        var id = await alice.CreateAccountAsync("client", "Kept");

        await WithToken(factory.TokenFor(user, audience: "someone-else")).PatchJsonAsync($"/api/accounts/{id}", new { name = "Changed" })
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");

        Assert.Equal("Kept", (string?)(await alice.GetJsonAsync($"/api/accounts/{id}"))["name"]);
    }

    [Fact]
    public async Task The_same_subject_is_the_same_user_across_tokens()
    {
        var user = TestUser.New("alice");
        var id = await factory.ClientFor(user).CreateAccountAsync("agency");

        var again = WithToken(factory.TokenFor(user));

        await again.GetAsync($"/api/accounts/{id}").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Dev_tokens_are_not_served_outside_development()
    {
        await factory.CreateClient().PostJsonAsync("/api/dev/tokens", new { email = "alice@agency.test", name = "Alice" })
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    private HttpClient WithToken(string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

public sealed class DevTokensTests(DevelopmentApiFactory factory) : IClassFixture<DevelopmentApiFactory>
{
    [Fact]
    public async Task In_development_a_dev_token_signs_in_a_stable_user()
    {
        var anonymous = factory.CreateClient();
        var email = $"alice.{Guid.NewGuid():N}@agency.test";

        var first = await anonymous.PostJsonAsync("/api/dev/tokens", new { email, name = "Alice" }).ExpectAsync(HttpStatusCode.OK);
        var second = await anonymous.PostJsonAsync("/api/dev/tokens", new { email }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((string?)first["userId"], (string?)second["userId"]);

        var alice = factory.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)first["token"]!);
        var id = await alice.CreateAccountAsync("agency");
        var members = await alice.GetJsonAsync($"/api/accounts/{id}/members");
        Assert.Equal(email, (string?)members["items"]![0]!["email"]);
        Assert.Equal("Alice", (string?)members["items"]![0]!["name"]);
    }

    [Fact]
    public async Task A_dev_token_needs_a_valid_email()
    {
        var problem = await factory.CreateClient().PostJsonAsync("/api/dev/tokens", new { email = "not-an-email" }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");

        Assert.NotNull(problem["errors"]!["email"]);
    }
}

public sealed class DevTokensSwitchedOffTests(DevelopmentWithoutDevTokensApiFactory factory) : IClassFixture<DevelopmentWithoutDevTokensApiFactory>
{
    [Fact]
    public async Task In_development_without_the_setting_dev_tokens_are_not_served()
    {
        await factory.CreateClient().PostJsonAsync("/api/dev/tokens", new { email = "alice@agency.test" })
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
