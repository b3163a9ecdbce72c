using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class AccountsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Creating_an_account_makes_the_caller_its_orgAdmin_in_a_new_organisation()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));

        var response = await alice.PostJsonAsync("/api/accounts", new { name = "  Acme Agency ", kind = "agency" });
        var account = await Task.FromResult(response).ExpectAsync(HttpStatusCode.Created);

        var id = (string)account["id"]!;
        Assert.Equal($"/api/accounts/{id}", response.Headers.Location?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("Acme Agency", (string?)account["name"]);
        Assert.Equal("agency", (string?)account["kind"]);
        Assert.Equal("active", (string?)account["status"]);
        Assert.Equal("canRequestAccess", (string?)account["connectionDirection"]);
        Assert.StartsWith("org", (string?)account["organisationId"]);
        Assert.Null(account["createdByAccountId"]);

        var read = await alice.GetJsonAsync($"/api/accounts/{id}");
        Assert.Equal(account.ToJsonString(), read.ToJsonString());
        var permissions = await alice.GetJsonAsync($"/api/accounts/{id}/permissions");
        Assert.Equal(12, permissions["actions"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_client_account_defaults_to_granting_access()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var id = await carol.CreateAccountAsync("client");

        var account = await carol.GetJsonAsync($"/api/accounts/{id}");

        Assert.Equal("client", (string?)account["kind"]);
        Assert.Equal("canGrantAccess", (string?)account["connectionDirection"]);
    }

    [Fact]
    public async Task OrgAdmin_renames_and_changes_direction_and_gets_a_new_etag()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var before = await alice.ETagOfAsync($"/api/accounts/{id}");

        var response = await alice.PatchJsonAsync($"/api/accounts/{id}", new { name = "Renamed", connectionDirection = "canRequestAccess" }, before);
        var patched = await Task.FromResult(response).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Renamed", (string?)patched["name"]);
        Assert.Equal("canRequestAccess", (string?)patched["connectionDirection"]);
        Assert.NotEqual(before, response.Headers.ETag?.ToString());
        var read = await alice.GetJsonAsync($"/api/accounts/{id}");
        Assert.Equal("Renamed", (string?)read["name"]);
    }

    [Theory]
    [InlineData("accountManager")]
    [InlineData("regularUser")]
    [InlineData("viewOnly")]
    public async Task Only_an_orgAdmin_changes_the_account(string role)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency", "Original");
        var (_, member) = await factory.NewMemberAsync(id, role);

        await member.PatchJsonAsync($"/api/accounts/{id}", new { name = "Hijacked" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal("Original", (string?)(await alice.GetJsonAsync($"/api/accounts/{id}"))["name"]);
    }

    [Fact]
    public async Task Direction_cannot_change_while_the_account_has_active_connections()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, _) = await TestApi.ConnectAsync(alice, carol);

        await carol.PatchJsonAsync($"/api/accounts/{clientId}", new { connectionDirection = "canRequestAccess" })
            .ExpectProblemAsync(HttpStatusCode.Conflict, "account-has-connections");

        Assert.Equal("canGrantAccess", (string?)(await carol.GetJsonAsync($"/api/accounts/{clientId}"))["connectionDirection"]);
    }

    [Theory]
    [InlineData("orgAdmin", 12)]
    [InlineData("accountManager", 11)]
    [InlineData("regularUser", 7)]
    [InlineData("viewOnly", 2)]
    public async Task Permissions_list_the_callers_actions_from_the_matrix(string role, int count)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");
        var caller = alice;
        if (role != "orgAdmin")
        {
            (_, caller) = await factory.NewMemberAsync(id, role);
        }

        var actions = (await caller.GetJsonAsync($"/api/accounts/{id}/permissions"))["actions"]!.AsArray().Select(a => (string)a!).ToList();

        Assert.Equal(count, actions.Count);
        Assert.Contains("reports.read", actions);
        Assert.Equal(role == "orgAdmin", actions.Contains("connections.accept"));
        Assert.Equal(role is "orgAdmin" or "accountManager", actions.Contains("members.manage"));
    }

    [Fact]
    public async Task An_agency_user_has_only_the_connectable_actions_on_a_connected_client()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, _) = await TestApi.ConnectAsync(alice, carol);

        var actions = (await alice.GetJsonAsync($"/api/accounts/{clientId}/permissions"))["actions"]!.AsArray().Select(a => (string)a!).Order().ToList();

        Assert.Equal(
            new[] { "data.exportExternal", "integrations.createAndMap", "items.create", "items.readWrite", "reports.configure", "reports.create", "reports.export", "reports.read" }.Order(),
            actions);
        var account = await alice.GetJsonAsync($"/api/accounts/{clientId}");
        Assert.Equal(clientId, (string?)account["id"]);
    }

    [Fact]
    public async Task The_client_side_never_reaches_the_agency_account()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, _, _) = await TestApi.ConnectAsync(alice, carol);

        await carol.GetAsync($"/api/accounts/{agencyId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await carol.GetAsync($"/api/accounts/{agencyId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
