using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class SmokeTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Agency_user_reads_client_reports_after_the_client_accepts()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, _) = await TestApi.ConnectAsync(alice, carol);

        await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created);
        var reports = await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);

        Assert.Single(reports["items"]!.AsArray());
    }

    [Fact]
    public async Task Malformed_json_is_a_problem_not_a_500()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        using var body = new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json");

        await alice.PostAsync("/api/accounts", body).ExpectProblemAsync(HttpStatusCode.BadRequest, "malformed-request");
    }
}
