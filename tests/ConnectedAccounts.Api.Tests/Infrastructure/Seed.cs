using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>
/// Puts people on accounts with a given role. Adding a member over HTTP arrives with the invitations issue, so
/// until then tests write the member the way the API would: on the canonical account row, with its projection.
/// </summary>
public static class Seed
{
    public static async Task AddMemberAsync(this ApiFactory factory, string accountId, TestUser user, string role)
    {
        Assert.True(Roles.TryParse(role, out var parsed), $"Unknown role {role}");
        var store = factory.Services.GetRequiredService<DataStore>();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var account = await store.GetAccountAsync(accountId, CancellationToken.None) ?? throw new InvalidOperationException($"No account {accountId}");
            Assert.True(account.Value.AddMember(new Member(user.Id, user.Email, user.Name, parsed)).Succeeded);
            var result = await store.Batch(accountId)
                .PutAccount(account.Value, account.ETag)
                .Project(new MembershipChanged(accountId, account.Value.Name, user.Id, parsed, store.Time.GetUtcNow().UtcTicks))
                .CommitAsync(CancellationToken.None);
            if (result.Succeeded)
            {
                return;
            }
        }

        throw new InvalidOperationException("Could not add the member.");
    }

    /// <summary>A new user with the role on the account, and a client signed in as them.</summary>
    public static async Task<(TestUser User, HttpClient Client)> NewMemberAsync(this ApiFactory factory, string accountId, string role)
    {
        var user = TestUser.New(role);
        await factory.AddMemberAsync(accountId, user, role);
        return (user, factory.ClientFor(user));
    }

    public static async Task<string> ETagOfAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag?.ToString() ?? throw new InvalidOperationException($"No ETag on {url}");
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string url) =>
        await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK);

    public static IEnumerable<string> Ids(this JsonObject page) =>
        page["items"]!.AsArray().Select(i => (string)i!["id"]!);

    /// <summary>A well-formed id that names nothing.</summary>
    public static string Nonexistent(string prefix) => prefix + Guid.NewGuid().ToString("N")[..20].Replace('0', 'a').Replace('1', 'b').Replace('8', 'c').Replace('9', 'd');

    public static string WithoutTraceId(string problemJson)
    {
        var node = JsonNode.Parse(problemJson)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
