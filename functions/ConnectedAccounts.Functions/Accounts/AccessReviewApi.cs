using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Invitations;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Accounts;

public sealed record MemberAccess(string UserId, string Email, string Name, string Role, IReadOnlyList<string> Actions);

/// <param name="Role">The user's role on the agency account.</param>
/// <param name="LastAccessAt">When they last worked on the account through the connection (to the hour), if ever.</param>
public sealed record AgencyUserAccess(string UserId, string Email, string Name, string Role, IReadOnlyList<string> Actions, DateTimeOffset? LastAccessAt);

public sealed record ConnectionAccess(string ConnectionId, string AgencyAccountId, string AgencyName, string State, DateTimeOffset? ExpiresAt, IReadOnlyList<AgencyUserAccess> Users);

public sealed record PendingAccess(IReadOnlyList<InvitationResponse> Invitations, IReadOnlyList<ConnectionResponse> ConnectionRequests);

/// <summary>Who can get into an account right now, and who is about to.</summary>
public sealed record AccessReview(IReadOnlyList<MemberAccess> Members, IReadOnlyList<ConnectionAccess> Connections, PendingAccess Pending);

/// <summary><c>GET /api/accounts/{id}/access</c>: every person's actions here as the decision computes them now (<see cref="AccessResolver.Decide"/>).</summary>
public static class AccessReviewApi
{
    public static RouteGroupBuilder MapAccessReviewApi(this RouteGroupBuilder api)
    {
        api.MapGet("/accounts/{accountId}/access", Review).WithTags("Accounts");
        return api;
    }

    public static async Task<Results<Ok<AccessReview>, ProblemHttpResult>> Review(
        string accountId, HttpContext http, AccessResolver access, DataStore store, InvitationStore invitations, LastAccess lastAccess, TimeProvider time, CancellationToken ct)
    {
        if ((await access.AuthorizeMemberAsync(http, accountId, PermissionAction.MembersManage, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        var (account, now) = (found.Account, time.GetUtcNow());
        var connections = new List<Connection>();
        await foreach (var row in store.Data.QueryAllAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.ConnectionPrefix }, ct))
        {
            connections.Add(DataStore.ToConnection(row));
        }

        // Every agency with a live grant here, read once: the decision for one user may go through any of them.
        var agencies = new Dictionary<string, Account?>(StringComparer.Ordinal);
        foreach (var agencyId in account.Value.Grants.Where(g => g.IsLiveAt(now)).Select(g => g.AgencyAccountId).Distinct(StringComparer.Ordinal))
        {
            agencies[agencyId] = (await store.GetAccountAsync(agencyId, ct))?.Value;
        }

        IReadOnlyList<string> ActionsOf(string userId) =>
            AccessResolver.Decide(account, userId, agencies, now)?.Actions.WireNames() ?? [];

        var members = account.Value.Members.Select(m => new MemberAccess(m.UserId, m.Email, m.Name, m.Role.WireName(), ActionsOf(m.UserId))).ToList();
        var seen = await lastAccess.ReadAsync(accountId, ct);
        var active = connections
            .Where(c => c.ClientAccountId == accountId && c.StateAt(now) == ConnectionState.Active)
            .Select(c => agencies.GetValueOrDefault(c.AgencyAccountId) is { } agency
                ? new ConnectionAccess(c.Id, agency.Id, agency.Name, ConnectionWire.Of(c.StateAt(now)), c.ExpiresAt, agency.Members
                    .Where(m => c.AgencyUsers.Includes(m.UserId))
                    .Select(m => new AgencyUserAccess(m.UserId, m.Email, m.Name, m.Role.WireName(), ActionsOf(m.UserId), seen.TryGetValue(m.UserId, out var at) ? at : null))
                    .ToList())
                : new ConnectionAccess(c.Id, c.AgencyAccountId, "", ConnectionWire.Of(c.StateAt(now)), c.ExpiresAt, []))
            .ToList();
        var open = (await invitations.OpenForAccountAsync(accountId, now, ct))
            .OrderBy(i => i.CreatedAt)
            .Select(InvitationResponse.From)
            .ToList();
        var pending = connections.Where(c => c.State == ConnectionState.Pending).OrderBy(c => c.RequestedAt).ToList();
        var names = await ConnectionNames.ForListAsync(account.Value, pending, store, ct);
        var requests = pending.Select(c => ConnectionResponse.From(c, now, names(c))).ToList();
        return TypedResults.Ok(new AccessReview(members, active, new PendingAccess(open, requests)));
    }
}
