using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Persistence;

namespace ConnectedAccounts.Functions.Accounts;

/// <summary>What one user may do on one account, decided from the canonical rows read for this request.</summary>
/// <param name="ViaAgencyAccountId">For an agency user: the agency whose connection the path goes through.</param>
public sealed record AccountAccess(Stored<Account> Account, string UserId, AccessPath Path, IReadOnlySet<PermissionAction> Actions, string? ViaAgencyAccountId = null)
{
    public Account Value => Account.Value;

    public bool Can(PermissionAction action) => Actions.Contains(action);

    public bool IsMember => Path is AccessPath.Member;

    public Role? MemberRole => (Path as AccessPath.Member)?.Role;
}

/// <summary>
/// The one place access is decided. Reads the account's own row (members and active-connection grants, kept
/// in the same partition as the canonical connection rows) and, for an agency user, the agency account's row:
/// at most two point reads, no cache, so a disconnect or role change that returned 2xx decides the next request.
/// </summary>
public sealed class AccessResolver(DataStore store)
{
    /// <summary>Null when the account does not exist or the user has no way to it: both answer 404.</summary>
    public async Task<AccountAccess?> ResolveAsync(string accountId, string userId, CancellationToken cancellationToken)
    {
        var account = await store.GetAccountAsync(accountId, cancellationToken);
        if (account is null)
        {
            return null;
        }

        var now = store.Time.GetUtcNow();
        var agencyRoles = new Dictionary<string, Role?>(StringComparer.Ordinal);
        if (account.Value.RoleOf(userId) is null)
        {
            // Grants that name the user are tried first: the usual case costs one read of the agency row.
            foreach (var grant in account.Value.Grants.Where(g => g.AgencyUsers.Includes(userId) && g.IsLiveAt(now)).OrderBy(g => g.AgencyUsers.All))
            {
                var agency = await store.GetAccountAsync(grant.AgencyAccountId, cancellationToken);
                agencyRoles[grant.AgencyAccountId] = agency?.Value.IsArchived == false ? agency.Value.RoleOf(userId) : null;
                if (agencyRoles[grant.AgencyAccountId] is not null && grant.AgencyUsers.All is false)
                {
                    break;
                }
            }
        }

        var path = account.Value.AccessFor(userId, g => agencyRoles.GetValueOrDefault(g.AgencyAccountId), now);
        if (path is AccessPath.None)
        {
            return null;
        }

        var actions = AccessDecision.EffectiveActions(path);
        if (account.Value.IsArchived)
        {
            // An archived account keeps its reports readable and exportable for those who had that; nothing else.
            actions = actions.Where(Account.ArchiveActions.Contains).ToHashSet();
        }

        var via = path is AccessPath.ViaConnection
            ? account.Value.Grants.First(g => agencyRoles.GetValueOrDefault(g.AgencyAccountId) is { } role && g.PathFor(userId, role, now) is var p
                && AccessDecision.EffectiveActions(p).SetEquals(AccessDecision.EffectiveActions(path))).AgencyAccountId
            : null;
        return new AccountAccess(account, userId, path, actions, via);
    }
}
