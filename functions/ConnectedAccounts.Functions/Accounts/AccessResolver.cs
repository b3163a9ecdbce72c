using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Persistence;

namespace ConnectedAccounts.Functions.Accounts;

/// <summary>What one user may do on one account, decided from the canonical rows read for this request.</summary>
public sealed record AccountAccess(Stored<Account> Account, string UserId, AccessPath Path, IReadOnlySet<PermissionAction> Actions)
{
    /// <summary>For an agency user: the agency whose connection the path goes through.</summary>
    public string? ViaAgencyAccountId => (Path as AccessPath.ViaConnection)?.AgencyAccountId;

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
public sealed class AccessResolver(DataStore store, LastAccess lastAccess)
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
        var agencies = new Dictionary<string, Account?>(StringComparer.Ordinal);
        if (account.Value.RoleOf(userId) is null)
        {
            // Grants that name the user are tried first: the usual case costs one read of the agency row.
            foreach (var grant in account.Value.Grants.Where(g => g.AgencyUsers.Includes(userId) && g.IsLiveAt(now)).OrderBy(g => g.AgencyUsers.All))
            {
                agencies[grant.AgencyAccountId] = (await store.GetAccountAsync(grant.AgencyAccountId, cancellationToken))?.Value;
                if (AgencyRole(agencies, grant.AgencyAccountId, userId) is not null && grant.AgencyUsers.All is false)
                {
                    break;
                }
            }
        }

        var access = Decide(account, userId, agencies, now);
        if (access?.ViaAgencyAccountId is not null)
        {
            lastAccess.Note(accountId, userId, now);
        }

        return access;
    }

    /// <summary>
    /// The decision itself, from rows already read: the user's path to the account (as a member, or through the
    /// grant of a connection whose agency — in <paramref name="agencies"/>, by id — has them as a member) and the
    /// actions it allows now. Null when there is no path.
    /// </summary>
    public static AccountAccess? Decide(Stored<Account> account, string userId, IReadOnlyDictionary<string, Account?> agencies, DateTimeOffset now)
    {
        var path = account.Value.AccessFor(userId, g => AgencyRole(agencies, g.AgencyAccountId, userId), now);
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

        return new AccountAccess(account, userId, path, actions);
    }

    /// <summary>An archived agency gives its users nothing.</summary>
    private static Role? AgencyRole(IReadOnlyDictionary<string, Account?> agencies, string agencyAccountId, string userId) =>
        agencies.GetValueOrDefault(agencyAccountId) is { IsArchived: false } agency ? agency.RoleOf(userId) : null;
}
