using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

/// <summary>
/// After a 2xx that changes a membership or a connection, the very next read of the switcher and of the agency's
/// connections by every affected user reflects it — with no queue running at all (the factories below poll
/// nothing), so only the change's own request can have updated the index rows. No waiting between the two.
/// </summary>
public abstract class ReadYourWritesScenarios(ApiFactory factory)
{
    [Fact]
    public async Task A_new_account_is_in_its_creators_switcher_at_once()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));

        var id = await alice.CreateAccountAsync("agency");

        Assert.Equal([id], (await alice.GetJsonAsync("/api/accounts")).Ids());
    }

    [Fact]
    public async Task An_accepted_connection_is_in_the_agency_users_switcher_and_the_agencys_list_at_once()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var (_, rita) = await factory.NewMemberAsync(agencyId, "regularUser");
        var requested = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
        Assert.Contains((string)requested["id"]!, (await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections")).Ids());

        await carol.PostAsync($"/api/connections/{requested["id"]}/accept", null).ExpectAsync(HttpStatusCode.OK);

        Assert.Contains(clientId, (await alice.GetJsonAsync("/api/accounts")).Ids());
        Assert.Contains(clientId, (await rita.GetJsonAsync("/api/accounts")).Ids());
        var listed = (await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections?state=active")).Ids();
        Assert.Equal([(string)requested["id"]!], listed);
    }

    [Fact]
    public async Task A_client_the_agency_creates_is_in_its_switcher_and_list_at_once()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");

        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = $"owner.{Guid.NewGuid():N}@bikes.test" }).ExpectAsync(HttpStatusCode.Created);

        Assert.Contains((string)created["account"]!["id"]!, (await alice.GetJsonAsync("/api/accounts")).Ids());
        Assert.Contains((string)created["connection"]!["id"]!, (await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections")).Ids());
    }

    [Fact]
    public async Task A_narrowed_selection_and_a_disconnect_leave_the_switcher_at_once()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var (ritaUser, rita) = await factory.NewMemberAsync(agencyId, "regularUser");
        var aliceId = aliceUser.Id;
        Assert.Contains(clientId, (await rita.GetJsonAsync("/api/accounts")).Ids());

        await alice.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { userIds = new[] { aliceId } }).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(clientId, (await rita.GetJsonAsync("/api/accounts")).Ids());

        await alice.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { userIds = new[] { aliceId, ritaUser.Id } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(clientId, (await rita.GetJsonAsync("/api/accounts")).Ids());

        await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        Assert.DoesNotContain(clientId, (await alice.GetJsonAsync("/api/accounts")).Ids());
        Assert.Equal("disconnecting", (string?)(await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections"))["items"]![0]!["state"]);
    }

    [Fact]
    public async Task A_role_change_shows_in_the_members_switcher_at_once()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var clientId = await carol.CreateAccountAsync("client");
        var (bobUser, bob) = await factory.NewMemberAsync(clientId, "viewOnly");

        await carol.PatchJsonAsync($"/api/accounts/{clientId}/members/{bobUser.Id}", new { role = "regularUser" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("regularUser", (string?)(await bob.GetJsonAsync("/api/accounts"))["items"]![0]!["role"]);
    }
}

public sealed class ReadYourWritesTests(ManualQueuesApiFactory factory) : ReadYourWritesScenarios(factory), IClassFixture<ManualQueuesApiFactory>;

[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class ReadYourWritesOnAzureStorageTests(AzureStorageApiFactory factory) : ReadYourWritesScenarios(factory), IClassFixture<AzureStorageApiFactory>;
