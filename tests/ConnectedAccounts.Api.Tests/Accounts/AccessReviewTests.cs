using System.Net;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests.Accounts;

/// <summary>
/// "Who can access this account": for every person listed, the listed actions are what <c>GET …/permissions</c>
/// answers that person (the decision every route asks); the expected sets of a few come from the matrix table of
/// docs/permissions.md, narrowed by the connection's permissions.
/// </summary>
public sealed class AccessReviewTests(ManualQueuesApiFactory factory) : IClassFixture<ManualQueuesApiFactory>
{
    private static readonly string[] Work = ["items.create", "items.readWrite", "reports.export", "reports.read"];

    [Fact]
    public async Task Every_listed_person_has_exactly_the_actions_the_decision_gives_them_and_pending_access_is_shown()
    {
        var users = new Dictionary<string, (TestUser User, HttpClient Client)>();
        (TestUser, HttpClient) Person(string name)
        {
            var user = TestUser.New(name);
            return users[user.Id] = (user, factory.ClientFor(user));
        }

        var (alice, aliceClient) = Person("alice");
        var (carol, carolClient) = Person("carol");
        var agencyId = await aliceClient.CreateAccountAsync("agency", "Acme Agency");
        var clientId = await carolClient.CreateAccountAsync("client", "Bob's Bikes");
        var agency = new Dictionary<string, TestUser>();
        foreach (var (name, role) in new[] { ("am", "accountManager"), ("amx", "accountManager"), ("ru", "regularUser"), ("vo", "viewOnly"), ("ns", "regularUser") })
        {
            var (user, _) = Person(name);
            await factory.AddMemberAsync(agencyId, user, role);
            agency[name] = user;
        }

        var (cm, _) = Person("cm");
        await factory.AddMemberAsync(clientId, cm, "accountManager");
        var (cv, cvClient) = Person("cv");
        await factory.AddMemberAsync(clientId, cv, "viewOnly");

        var selected = new[] { alice.Id, agency["am"].Id, agency["amx"].Id, agency["ru"].Id, agency["vo"].Id };
        var requested = await aliceClient.PostJsonAsync($"/api/accounts/{agencyId}/connections",
            new { targetAccountId = clientId, agencyUsers = new { userIds = selected }, permissions = Work, }).ExpectAsync(HttpStatusCode.Created);
        var connectionId = (string)requested["id"]!;
        await carolClient.PostJsonAsync($"/api/connections/{connectionId}/accept", new { }).ExpectAsync(HttpStatusCode.OK);
        await aliceClient.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { userIds = selected, accountManagers = new[] { agency["am"].Id } }).ExpectAsync(HttpStatusCode.OK);

        // Pending: an invitation the client sent, and a request from another agency.
        var invitee = $"dana.{Guid.NewGuid():N}@bikes.test";
        await carolClient.PostJsonAsync($"/api/accounts/{clientId}/members", new { email = invitee, role = "viewOnly" }).ExpectAsync(HttpStatusCode.Accepted);
        var (_, otherAdmin) = Person("olga");
        var otherAgency = await otherAdmin.CreateAccountAsync("agency", "Other Agency");
        var pendingId = (string)(await otherAdmin.PostJsonAsync($"/api/accounts/{otherAgency}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        // Rita (ru) works on the client: her last access is recorded.
        await users[agency["ru"].Id].Client.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);

        var review = await carolClient.GetAsync($"/api/accounts/{clientId}/access").ExpectAsync(HttpStatusCode.OK);
        var members = review["members"]!.AsArray().ToDictionary(m => (string)m!["userId"]!, m => Names(m!["actions"]));
        var connection = Assert.Single(review["connections"]!.AsArray())!;
        Assert.Equal((connectionId, agencyId, "Acme Agency", "active"), ((string?)connection["connectionId"], (string?)connection["agencyAccountId"], (string?)connection["agencyName"], (string?)connection["state"]));
        var agencyUsers = connection["users"]!.AsArray().ToDictionary(u => (string)u!["userId"]!, u => u!);

        Assert.Equal(new[] { carol.Id, cm.Id, cv.Id }.Order(StringComparer.Ordinal), members.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(selected.Order(StringComparer.Ordinal), agencyUsers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["reports.export", "reports.read"], members[cv.Id]);
        Assert.Equal(Work, Names(agencyUsers[agency["ru"].Id]["actions"]));
        Assert.Equal(Work, Names(agencyUsers[agency["am"].Id]["actions"]));
        Assert.Empty(Names(agencyUsers[agency["amx"].Id]["actions"])); // an account manager who does not manage this client
        Assert.Equal(["reports.export", "reports.read"], Names(agencyUsers[agency["vo"].Id]["actions"]));

        // Only Rita has worked on the client so far (the reads above were Carol's).
        await TestApi.EventuallyAsync(async () =>
        {
            var listed = (await carolClient.GetAsync($"/api/accounts/{clientId}/access").ExpectAsync(HttpStatusCode.OK))["connections"]![0]!["users"]!.AsArray();
            return listed.Single(u => (string?)u!["userId"] == agency["ru"].Id)!["lastAccessAt"] is not null
                && listed.Where(u => (string?)u!["userId"] == agency["vo"].Id).All(u => u!["lastAccessAt"] is null);
        }, "Rita's last access to be recorded, and nobody else's");

        // The property the review promises: what it lists is what the decision answers each of them.
        foreach (var (userId, actions) in members.Concat(agencyUsers.Select(u => KeyValuePair.Create(u.Key, Names(u.Value["actions"])))))
        {
            using var answer = await users[userId].Client.GetAsync($"/api/accounts/{clientId}/permissions");
            var decided = answer.StatusCode == HttpStatusCode.OK ? Names((await answer.ReadJsonAsync())["actions"]) : [];
            Assert.True(actions.SequenceEqual(decided), $"{users[userId].User.Name}: listed [{string.Join(",", actions)}], decided [{string.Join(",", decided)}]");
        }

        Assert.Equal([invitee], review["pending"]!["invitations"]!.AsArray().Select(i => (string)i!["email"]!));
        Assert.Equal([pendingId], review["pending"]!["connectionRequests"]!.AsArray().Select(c => (string)c!["id"]!));

        await cvClient.GetAsync($"/api/accounts/{clientId}/access").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await aliceClient.GetAsync($"/api/accounts/{clientId}/access").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");
        await users[agency["ns"].Id].Client.GetAsync($"/api/accounts/{clientId}/access").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    private static List<string> Names(JsonNode? names) => names!.AsArray().Select(n => (string)n!).Order(StringComparer.Ordinal).ToList();
}
