using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Domain.Common;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Authorization;

/// <summary>
/// Every route × actor × connection state of <see cref="AccessTable"/>, through real HTTP: the status each actor gets
/// must be the table's. A request expected to change the scene (accept, disconnect, remove a member…) runs on a
/// scene of its own when it is expected to succeed; every other request shares one scene per state, and that scene
/// must read the same after all of them (a refused request changes nothing).
/// </summary>
public sealed partial class AccessTableTests(ManualQueuesApiFactory factory) : IClassFixture<ManualQueuesApiFactory>
{
    /// <summary>Routes whose success changes what later requests on the same scene would see.</summary>
    private static readonly HashSet<string> ChangesTheScene =
    [
        // A rename shows in the connection's answer (it names both accounts).
        "PATCH /api/accounts/{client}",
        "PATCH /api/accounts/{client}/members/{member}",
        "DELETE /api/accounts/{client}/members/{member}",
        "DELETE /api/accounts/{client}/reports/{report}",
        "POST /api/accounts/{agency}/connections",
        "POST /api/connections/{connection}/accept",
        "POST /api/connections/{connection}/decline",
        "POST /api/connections/{connection}/cancel",
        "PUT /api/connections/{connection}/agency-users",
        "PUT /api/connections/{connection}/agency-users+all",
        "POST /api/connections/{connection}/disconnect",
        "PUT /api/connections/{connection}/permissions",
        "PUT /api/connections/{connection}/permissions+widen",
        "PUT /api/connections/{connection}/expiry",
        "PUT /api/connections/{connection}/expiry+lengthen",
    ];

    /// <summary>API routes the table leaves to other tests, each with the reason.</summary>
    private static readonly Dictionary<string, string> NotInTheTable = new()
    {
        ["POST /api/dev/tokens"] = "anonymous by design, Development only (IdentityTests)",
        ["GET /api/invitations/{}"] = "anonymous by design: the token is the credential (InvitationTests)",
        ["POST /api/invitations/{}/accept"] = "decided by the invited e-mail, not by a role (InvitationTests)",
        ["POST /api/invitations/{}/decline"] = "decided by the invited e-mail, not by a role (InvitationTests)",
        ["GET /api/me/invitations"] = "the caller's own inbox (InvitationTests)",
        ["POST /api/me/invitations/{}/accept"] = "the caller's own inbox (InvitationTests)",
        ["POST /api/me/invitations/{}/decline"] = "the caller's own inbox (InvitationTests)",
        ["POST /api/accounts/{}/invitations/{}/resend"] = "needs an open invitation of the scene and is rate-limited (InvitationTests)",
        ["POST /api/accounts/{}/invitations/{}/cancel"] = "needs an open invitation of the scene (InvitationTests)",
    };

    public static TheoryData<string> States() => new(AccessTable.States);

    [Fact]
    public void The_table_names_every_state_of_every_route_once_and_every_api_route()
    {
        var rows = Rows();
        foreach (var route in rows.Select(r => r.Route).Distinct())
        {
            var named = rows.Where(r => r.Route == route && r.States is not ["others"]).SelectMany(r => r.States is ["all"] ? AccessTable.States : r.States).ToList();
            Assert.True(named.Count == named.Distinct().Count(), $"{route}: a state is named twice");
            Assert.True(named.All(AccessTable.States.Contains), $"{route}: an unknown state");
            var others = rows.Count(r => r.Route == route && r.States is ["others"]);
            Assert.True(others <= 1 && (others == 1 || named.Count == AccessTable.States.Length), $"{route}: not every state is named");
            Assert.True(others == 0 || named.Count < AccessTable.States.Length, $"{route}: 'others' names nothing");
        }

        var inTable = rows.Select(r => Normalised(r.Method, r.Path)).ToHashSet();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => Normalised(m, e.RoutePattern.RawText!)))
            .ToHashSet();
        Assert.Empty(endpoints.Except(inTable).Except(NotInTheTable.Keys));
        Assert.Empty(inTable.Except(endpoints));
    }

    [Fact]
    public void The_table_has_the_stated_number_of_cases()
    {
        // 43 route variants (39 routes; agency users, permissions and the end date both narrowed and widened; the
        // disconnect preview with and without a narrowed scope) × 13 actors × 9 states.
        var routes = Rows().Select(r => r.Route).Distinct().Count();
        Assert.Equal(43, routes);
        Assert.Equal(5031, routes * AccessTable.Actors.Length * AccessTable.States.Length);
    }

    [Theory]
    [MemberData(nameof(States))]
    public async Task Every_route_answers_every_actor_as_the_table_says(string state)
    {
        var shared = await SceneAsync(state);
        var before = await shared.SnapshotAsync();
        var failures = new List<string>();
        foreach (var (route, method, path, statuses) in Expected(state))
        {
            for (var a = 0; a < AccessTable.Actors.Length; a++)
            {
                var expected = statuses[a];
                var scene = ChangesTheScene.Contains(route) && expected is >= 200 and < 300 ? await SceneAsync(state) : shared;
                var actor = AccessTable.Actors[a];
                using var response = await scene.SendAsync(actor, method, path, route);
                if ((int)response.StatusCode != expected)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    failures.Add($"{route} as {actor} when {state}: expected {expected}, got {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
                }
                else if (expected >= 400 && actor != "ANON" && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{route} as {actor} when {state}: {expected} without a problem document");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} cases differ from the table:\n" + string.Join("\n", failures.Take(60)));
        Assert.Equal(before, await shared.SnapshotAsync());
    }

    private sealed record Row(string Route, string Method, string Path, string[] States, int[] Statuses);

    private static List<Row> Rows() =>
        AccessTable.Text.Split('\n').Skip(1).Where(l => l.Trim().Length > 0).Select(line =>
        {
            var parts = line.Split('|', StringSplitOptions.TrimEntries);
            var route = WhiteSpace().Replace(parts[0], " ");
            var (method, path) = (route[..route.IndexOf(' ', StringComparison.Ordinal)], route[(route.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            var statuses = parts[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            Assert.True(statuses.Length == AccessTable.Actors.Length, $"{route} | {parts[1]}: {statuses.Length} statuses");
            return new Row(route, method, path.Split('+')[0], parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries), statuses);
        }).ToList();

    private static IEnumerable<(string Route, string Method, string Path, int[] Statuses)> Expected(string state)
    {
        var rows = Rows();
        foreach (var route in rows.Select(r => r.Route).Distinct())
        {
            var mine = rows.Where(r => r.Route == route).ToList();
            var row = mine.SingleOrDefault(r => r.States.Contains(state) || r.States is ["all"]) ?? mine.Single(r => r.States is ["others"]);
            yield return (route, row.Method, row.Path, row.Statuses);
        }
    }

    private static string Normalised(string method, string path) => method + " " + Placeholder().Replace(path, "{}").TrimEnd('/');

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    /// <summary>Every action a connection can carry: the work and the team.</summary>
    private static readonly string[] EveryConnectable =
    [
        "integrations.createAndMap", "items.create", "items.readWrite", "reports.create", "reports.configure", "reports.read", "reports.export",
        "data.exportExternal", "members.manage",
    ];

    /// <summary>The agency users the connection selects; AM manages the client.</summary>
    private static readonly string[] Selected = ["AO", "AM", "AMx", "RU", "VO"];

    private async Task<Scene> SceneAsync(string state)
    {
        var users = AccessTable.Actors.Where(a => a != "ANON").ToDictionary(a => a, a => TestUser.New(a.ToLowerInvariant()));
        var clients = users.ToDictionary(u => u.Key, u => factory.ClientFor(u.Value));
        clients["ANON"] = factory.CreateClient();
        var ao = clients["AO"];
        var agencyId = await ao.CreateAccountAsync("agency");
        foreach (var (actor, role) in new[] { ("AOx", "orgAdmin"), ("AM", "accountManager"), ("AMx", "accountManager"), ("RU", "regularUser"), ("VO", "viewOnly"), ("NS", "regularUser") })
        {
            await factory.AddMemberAsync(agencyId, users[actor], role);
        }

        var selection = new { userIds = Selected.Select(a => users[a].Id).ToArray() };
        string clientId, connectionId;
        HttpClient owner;
        if (state == "gone")
        {
            var created = await ao.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Made by the agency", email = $"owner.{Guid.NewGuid():N}@client.test", agencyUsers = selection })
                .ExpectAsync(HttpStatusCode.Created);
            (clientId, connectionId, owner) = ((string)created["account"]!["id"]!, (string)created["connection"]!["id"]!, ao);
            await factory.AddMemberAsync(clientId, users["CO"], "orgAdmin");
        }
        else
        {
            owner = clients["CO"];
            clientId = await owner.CreateAccountAsync("client");
            var request = state == "activeTeam"
                ? (object)new { targetAccountId = clientId, agencyUsers = selection, permissions = EveryConnectable }
                : new { targetAccountId = clientId, agencyUsers = selection };
            connectionId = state == "none" ? Ids.NewConnectionId(clientId) : (string)(await ao.PostJsonAsync($"/api/accounts/{agencyId}/connections", request)
                .ExpectAsync(HttpStatusCode.Created))["id"]!;
        }

        foreach (var (actor, role) in new[] { ("CM", "accountManager"), ("CR", "regularUser"), ("CV", "viewOnly") })
        {
            await factory.AddMemberAsync(clientId, users[actor], role);
        }

        if (state != "none")
        {
            await ao.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { selection.userIds, accountManagers = new[] { users["AM"].Id } }).ExpectAsync(HttpStatusCode.OK);
        }

        if (state is "active" or "activeTeam" or "disconnecting" or "disconnected")
        {
            await clients["CO"].PostAsync($"/api/connections/{connectionId}/accept", null).ExpectAsync(HttpStatusCode.OK);
        }

        var report = (string)(await owner.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var item = (string)(await owner.PostJsonAsync($"/api/accounts/{clientId}/items", new { name = "Keyword" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var integration = (string)(await owner.PostJsonAsync($"/api/accounts/{clientId}/integrations", new { name = "Feed", mappedClientAccountIds = Array.Empty<string>() })
            .ExpectAsync(HttpStatusCode.Created))["id"]!;

        switch (state)
        {
            case "declined":
                await clients["CO"].PostAsync($"/api/connections/{connectionId}/decline", null).ExpectAsync(HttpStatusCode.OK);
                break;
            case "cancelled":
                await ao.PostAsync($"/api/connections/{connectionId}/cancel", null).ExpectAsync(HttpStatusCode.OK);
                break;
            case "disconnecting" or "disconnected" or "gone":
                await ao.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
                if (state != "disconnecting")
                {
                    await factory.DrainAsync();
                    Assert.Equal("disconnected", (string?)(await ao.GetJsonAsync($"/api/connections/{connectionId}"))["state"]);
                }

                break;
        }

        var ids = new Dictionary<string, string>
        {
            ["{agency}"] = agencyId,
            ["{client}"] = clientId,
            ["{connection}"] = connectionId,
            ["{report}"] = report,
            ["{item}"] = item,
            ["{integration}"] = integration,
            ["{member}"] = users["CV"].Id,
        };
        return new Scene(clients, users, ids);
    }

    private sealed class Scene(Dictionary<string, HttpClient> clients, Dictionary<string, TestUser> users, Dictionary<string, string> ids)
    {
        public Task<HttpResponseMessage> SendAsync(string actor, string method, string path, string route)
        {
            var url = ids.Aggregate(path, (p, id) => p.Replace(id.Key, id.Value, StringComparison.Ordinal)) + Query(route);
            var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = Body(route) is { } body ? JsonContent.Create(body) : null };
            return clients[actor].SendAsync(request);
        }

        /// <summary>What a refused request must not have changed: the connection and both accounts' members.</summary>
        public async Task<string> SnapshotAsync()
        {
            var ao = clients["AO"];
            var parts = new List<string>();
            foreach (var url in new[] { $"/api/connections/{ids["{connection}"]}", $"/api/accounts/{ids["{agency}"]}/members", $"/api/accounts/{ids["{client}"]}/members" })
            {
                using var response = await ao.GetAsync(url);
                parts.Add($"{url} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            using var asClient = await clients["CO"].GetAsync($"/api/accounts/{ids["{client}"]}/members");
            parts.Add($"{(int)asClient.StatusCode} {await asClient.Content.ReadAsStringAsync()}");
            return string.Join("\n", parts.Select(p => TraceId().Replace(p, "")));
        }

        // Previewing a narrowing of the scope asks what PUT …/permissions would.
        private static string Query(string route) =>
            route == "GET /api/connections/{connection}/disconnect-preview+narrow" ? "?permissions=reports.read" : "";

        private object? Body(string route) => route switch
        {
            "POST /api/accounts" => new { name = "Another account", kind = "client" },
            "PATCH /api/accounts/{client}" => new { name = "Renamed" },
            "POST /api/accounts/{client}/members" => new { email = $"invitee.{Guid.NewGuid():N}@client.test", role = "viewOnly" },
            "PATCH /api/accounts/{client}/members/{member}" => new { role = "regularUser" },
            "POST /api/accounts/{agency}/connections" => new { targetAccountId = ids["{client}"] },
            "POST /api/accounts/{agency}/clients" => new { name = "Another client", email = $"owner.{Guid.NewGuid():N}@client.test" },
            "PUT /api/connections/{connection}/agency-users" => new { userIds = new[] { users["AO"].Id, users["AM"].Id } },
            "PUT /api/connections/{connection}/agency-users+all" => new { all = true },
            "PUT /api/connections/{connection}/permissions" => new { permissions = new[] { "reports.read" } },
            "PUT /api/connections/{connection}/permissions+widen" => new { permissions = EveryConnectable },
            // The scene's connection has no end date: giving it one ends it sooner; auto-extend on gives it more time.
            "PUT /api/connections/{connection}/expiry" => new { duration = "P30D" },
            "PUT /api/connections/{connection}/expiry+lengthen" => new { duration = "P1Y", autoExtend = true },
            "POST /api/accounts/{client}/reports" or "PATCH /api/accounts/{client}/reports/{report}" => new { name = "Renamed report" },
            "PUT /api/accounts/{client}/reports/{report}/sharing" => new { sharedWithClient = true },
            "POST /api/accounts/{client}/items" or "PATCH /api/accounts/{client}/items/{item}" => new { name = "Renamed item" },
            "POST /api/accounts/{client}/integrations" => new { name = "Another feed", mappedClientAccountIds = Array.Empty<string>() },
            _ => null,
        };
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();
}
