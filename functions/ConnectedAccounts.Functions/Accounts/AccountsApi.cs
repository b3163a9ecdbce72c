using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Accounts;

public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder api)
    {
        var accounts = api.MapGroup("/accounts").WithTags("Accounts");
        accounts.MapPost("/", CreateAccount);
        accounts.MapGet("/", ListSwitcher);
        accounts.MapGet("/{accountId}", GetAccount);
        accounts.MapPatch("/{accountId}", UpdateAccount);
        accounts.MapGet("/{accountId}/permissions", GetPermissions);
        return api;
    }

    public static async Task<Results<Created<AccountResponse>, ProblemHttpResult>> CreateAccount(
        CreateAccountRequest request, HttpContext http, DataStore store, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var name = validation.Required("name", request.Name);
        var kind = validation.Enum("kind", request.Kind, Wire.Kind, "agency, client");
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var user = http.User();
        var now = time.GetUtcNow();
        var account = Account.Create(Ids.NewAccountId(), Ids.NewOrganisationId(), name!, kind!.Value, new Member(user.Id, user.Email, user.Name, Role.OrgAdmin), now);
        var result = await store.Batch(account.Id)
            .PutAccount(account, null)
            .Project(new MembershipChanged(account.Id, account.Name, user.Id, Role.OrgAdmin, now.UtcTicks))
            .Record(ActivityEntry.Of(now, ActivityActor.Member(user, account.Id), "account.created", new ActivitySubject("account", account.Id, account.Name),
                details: new Dictionary<string, string> { ["kind"] = request.Kind! }))
            .CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Created($"/api/accounts/{account.Id}", AccountResponse.From(account));
    }

    /// <summary>
    /// The account switcher: the user's memberships and the client accounts their agencies connect them to. Both
    /// lists are index rows fed by the outbox; every entry is checked against its canonical account row.
    /// </summary>
    public static async Task<Results<Ok<Page<SwitcherEntry>>, ProblemHttpResult>> ListSwitcher(
        int? pageSize, string? continuationToken, HttpContext http, ITableServiceClient tables, DataStore store, AccessResolver access, CancellationToken ct)
    {
        if (Paging.ListQuery(pageSize, continuationToken, out var size).Problem is { } problem)
        {
            return problem;
        }

        var user = http.User();
        var entries = new List<SwitcherEntry>();
        var memberships = tables.GetTableClient(Keys.UsersTable).QueryAllAsync(new TableQuery { PartitionKey = Keys.UserPartition(user.Id), RowKeyPrefix = Keys.UserMembershipPrefix }, ct);
        await foreach (var membership in memberships)
        {
            var account = membership.GetBoolean("Removed") == true ? null : await store.GetAccountAsync(membership.GetString("AccountId") ?? "", ct);
            if (account?.Value.RoleOf(user.Id) is not { } role)
            {
                continue;
            }

            entries.Add(Entry(account.Value, role, "member", null));
            await foreach (var copy in store.Data.QueryAllAsync(new TableQuery { PartitionKey = account.Value.Id, RowKeyPrefix = Keys.ConnectionPrefix + "a|" }, ct))
            {
                var connection = DataStore.ToConnection(copy);
                if (connection.IsActive && connection.AgencyUsers.Includes(user.Id) && await access.ResolveAsync(connection.ClientAccountId, user.Id, ct) is { IsMember: false } client)
                {
                    entries.Add(Entry(client.Value, role, "connected", account.Value.Id));
                }
            }
        }

        // By name, case aside, then id: the key upper-cases the name as OrdinalIgnoreCase compares it.
        var page = Paging.InMemory(entries.DistinctBy(e => e.Id), e => e.Name.ToUpperInvariant() + "\n" + e.Id, size, continuationToken, e => e);
        return page is null ? Paging.InvalidToken() : TypedResults.Ok(page);

        static SwitcherEntry Entry(Account a, Role role, string access, string? via) =>
            new(a.Id, a.Name, Wire.Of(a.Kind), Wire.Of(a.Status), role.WireName(), access, via);
    }

    public static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> GetAccount(string accountId, HttpContext http, AccessResolver access, CancellationToken ct)
    {
        if (await access.ResolveAsync(accountId, http.User().Id, ct) is not { } found)
        {
            return Problems.NotFound("account");
        }

        ETags.Set(http, found.Account.ETag);
        return TypedResults.Ok(AccountResponse.From(found.Value));
    }

    public static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> UpdateAccount(
        string accountId, UpdateAccountRequest request, HttpContext http, AccessResolver access, DataStore store, ConnectionStore connections, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var name = request.Name is null ? null : validation.Required("name", request.Name);
        var direction = validation.Enum("connectionDirection", request.ConnectionDirection, Wire.Direction, "canRequestAccess, canGrantAccess", required: false);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        if (await access.ResolveAsync(accountId, http.User().Id, ct) is not { } found)
        {
            return Problems.NotFound("account");
        }

        if (!AccessDecision.MayConfigureAccount(found.Path))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "Only an orgAdmin of this account can change it.");
        }

        if (!ETags.IfMatchHolds(http, found.Account.ETag))
        {
            return Problems.PreconditionFailed();
        }

        var account = found.Value;
        var (oldName, oldDirection) = (account.Name, account.ConnectionDirection);
        var outcome = name is null ? Outcome.Ok : account.Rename(name);
        if (outcome.Succeeded && direction is { } d && d != account.ConnectionDirection)
        {
            outcome = account.ChangeDirection(d, await connections.HasOpenConnectionsAsync(account.Id, ct));
        }

        if (!outcome.Succeeded)
        {
            return Problems.Of(outcome.Error!);
        }

        var batch = store.Batch(account.Id).PutAccount(account, found.Account.ETag);
        var (actor, subject, now) = (ActivityActor.Member(http.User(), account.Id), new ActivitySubject("account", account.Id, account.Name), time.GetUtcNow());
        if (account.Name != oldName)
        {
            batch.Record(ActivityEntry.Of(now, actor, "account.renamed", subject, details: new Dictionary<string, string> { ["from"] = oldName, ["to"] = account.Name }));
        }

        if (account.ConnectionDirection != oldDirection)
        {
            batch.Record(ActivityEntry.Of(now, actor, "account.directionChanged", subject, details: new Dictionary<string, string> { ["to"] = request.ConnectionDirection! }));
        }

        var result = await batch.CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.PreconditionFailed();
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Ok(AccountResponse.From(account));
    }

    public static async Task<Results<Ok<PermissionsResponse>, ProblemHttpResult>> GetPermissions(string accountId, HttpContext http, AccessResolver access, CancellationToken ct)
    {
        if (await access.ResolveAsync(accountId, http.User().Id, ct) is not { } found)
        {
            return Problems.NotFound("account");
        }

        return TypedResults.Ok(new PermissionsResponse(found.Actions.WireNames()));
    }
}
