using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class MembersTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Members_are_listed_with_the_email_and_name_from_their_tokens()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var id = await alice.CreateAccountAsync("agency");
        var (bobUser, _) = await factory.NewMemberAsync(id, "regularUser");

        var members = await alice.GetJsonAsync($"/api/accounts/{id}/members");

        var rows = members["items"]!.AsArray().ToDictionary(m => (string)m!["userId"]!, m => m!);
        Assert.Equal(2, rows.Count);
        Assert.Equal(aliceUser.Email, (string?)rows[aliceUser.Id]["email"]);
        Assert.Equal(aliceUser.Name, (string?)rows[aliceUser.Id]["name"]);
        Assert.Equal("orgAdmin", (string?)rows[aliceUser.Id]["role"]);
        Assert.Equal("regularUser", (string?)rows[bobUser.Id]["role"]);
        Assert.Null(members["continuationToken"]?.GetValue<string>());
    }

    [Fact]
    public async Task Members_page_with_a_continuation_token()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");
        for (var i = 0; i < 4; i++)
        {
            await factory.NewMemberAsync(id, "viewOnly");
        }

        var first = await alice.GetJsonAsync($"/api/accounts/{id}/members?pageSize=3");
        var token = (string?)first["continuationToken"];
        Assert.NotNull(token);
        var second = await alice.GetJsonAsync($"/api/accounts/{id}/members?pageSize=3&continuationToken={Uri.EscapeDataString(token)}");

        var all = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(m => (string)m!["userId"]!).ToList();
        Assert.Equal(5, all.Count);
        Assert.Equal(5, all.Distinct().Count());
        Assert.Null((string?)second["continuationToken"]);
    }

    [Fact]
    public async Task OrgAdmin_changes_a_role_and_the_next_request_uses_it()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");
        var (bobUser, bob) = await factory.NewMemberAsync(id, "regularUser");
        await bob.PostJsonAsync($"/api/accounts/{id}/reports", new { name = "mine" }).ExpectAsync(HttpStatusCode.Created);

        var changed = await alice.PatchJsonAsync($"/api/accounts/{id}/members/{bobUser.Id}", new { role = "viewOnly" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("viewOnly", (string?)changed["role"]);
        await bob.PostJsonAsync($"/api/accounts/{id}/reports", new { name = "again" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Removing_a_member_ends_their_access()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");
        var (bobUser, bob) = await factory.NewMemberAsync(id, "regularUser");

        await alice.DeleteAsync($"/api/accounts/{id}/members/{bobUser.Id}").ExpectAsync(HttpStatusCode.NoContent);

        await bob.GetAsync($"/api/accounts/{id}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        var members = await alice.GetJsonAsync($"/api/accounts/{id}/members");
        Assert.Single(members["items"]!.AsArray());
    }

    [Fact]
    public async Task The_last_orgAdmin_cannot_be_demoted_or_removed()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var id = await alice.CreateAccountAsync("agency");

        await alice.PatchJsonAsync($"/api/accounts/{id}/members/{aliceUser.Id}", new { role = "viewOnly" }).ExpectProblemAsync(HttpStatusCode.Conflict, "last-org-admin");
        await alice.DeleteAsync($"/api/accounts/{id}/members/{aliceUser.Id}").ExpectProblemAsync(HttpStatusCode.Conflict, "last-org-admin");

        var members = await alice.GetJsonAsync($"/api/accounts/{id}/members");
        Assert.Equal("orgAdmin", (string?)members["items"]![0]!["role"]);
    }

    [Fact]
    public async Task An_orgAdmin_can_step_down_once_there_is_another()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var id = await alice.CreateAccountAsync("agency");
        var (bobUser, _) = await factory.NewMemberAsync(id, "accountManager");

        await alice.PatchJsonAsync($"/api/accounts/{id}/members/{bobUser.Id}", new { role = "orgAdmin" }).ExpectAsync(HttpStatusCode.OK);
        await alice.PatchJsonAsync($"/api/accounts/{id}/members/{aliceUser.Id}", new { role = "regularUser" }).ExpectAsync(HttpStatusCode.OK);

        await alice.PatchJsonAsync($"/api/accounts/{id}", new { name = "x" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_accountManager_manages_members_but_never_the_orgAdmin_role()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var id = await alice.CreateAccountAsync("agency");
        var (_, manager) = await factory.NewMemberAsync(id, "accountManager");
        var (carlUser, _) = await factory.NewMemberAsync(id, "regularUser");

        await manager.PatchJsonAsync($"/api/accounts/{id}/members/{carlUser.Id}", new { role = "viewOnly" }).ExpectAsync(HttpStatusCode.OK);
        await manager.PatchJsonAsync($"/api/accounts/{id}/members/{carlUser.Id}", new { role = "orgAdmin" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await manager.PatchJsonAsync($"/api/accounts/{id}/members/{aliceUser.Id}", new { role = "viewOnly" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await manager.DeleteAsync($"/api/accounts/{id}/members/{aliceUser.Id}").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var roles = (await alice.GetJsonAsync($"/api/accounts/{id}/members"))["items"]!.AsArray().ToDictionary(m => (string)m!["userId"]!, m => (string)m!["role"]!);
        Assert.Equal("orgAdmin", roles[aliceUser.Id]);
        Assert.Equal("viewOnly", roles[carlUser.Id]);
    }

    [Theory]
    [InlineData("regularUser")]
    [InlineData("viewOnly")]
    public async Task Users_without_members_manage_are_refused(string role)
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var id = await alice.CreateAccountAsync("agency");
        var (_, member) = await factory.NewMemberAsync(id, role);
        var (otherUser, _) = await factory.NewMemberAsync(id, "viewOnly");

        await member.PatchJsonAsync($"/api/accounts/{id}/members/{otherUser.Id}", new { role = "regularUser" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await member.DeleteAsync($"/api/accounts/{id}/members/{otherUser.Id}").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await member.GetAsync($"/api/accounts/{id}/members").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unknown_member_is_not_found()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");

        await alice.PatchJsonAsync($"/api/accounts/{id}/members/usr-nobody", new { role = "viewOnly" }).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.DeleteAsync($"/api/accounts/{id}/members/usr-nobody").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Agency_users_are_refused_the_members_of_a_connected_client()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carolUser = TestUser.New("carol");
        var carol = factory.ClientFor(carolUser);
        var (_, clientId, _) = await TestApi.ConnectAsync(alice, carol);

        await alice.GetAsync($"/api/accounts/{clientId}/members").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");
        await alice.DeleteAsync($"/api/accounts/{clientId}/members/{carolUser.Id}").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");
    }
}
