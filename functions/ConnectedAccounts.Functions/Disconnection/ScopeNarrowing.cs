using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Resources;

namespace ConnectedAccounts.Functions.Disconnection;

/// <summary>The actions one agency user would lose on the client.</summary>
public sealed record PlannedLoss(string UserId, string Email, string Name, IReadOnlyList<string> Actions);

/// <summary>
/// What narrowing a connection's scope to <see cref="Permissions"/> would no longer reach: each agency user's lost
/// actions, and the client's resources that some agency user reaches now and none would reach after.
/// </summary>
public sealed record ScopeNarrowing(
    IReadOnlyList<string> Permissions,
    IReadOnlyList<string> PermissionsRemoved,
    IReadOnlyList<PlannedLoss> UsersLosingActions,
    IReadOnlyList<string> ReportsNoLongerReached,
    IReadOnlyList<string> ItemsNoLongerReached,
    IReadOnlyList<PlannedIntegration> IntegrationsNoLongerReached);

/// <summary>Works out a <see cref="ScopeNarrowing"/> by asking the access decision before and after, for every agency member.</summary>
public sealed class NarrowingPlanner(ResourceStore<Integration> integrations, ResourceStore<Report> reports, ResourceStore<Item> items)
{
    public async Task<ScopeNarrowing> PlanAsync(ConnectionGrant before, ConnectionGrant after, Account agency, Account client, DateTimeOffset now, CancellationToken ct)
    {
        // A member of the client works there by their own role, whatever the connection grants.
        var agencyUsers = agency.Members.Where(m => client.MemberOf(m.UserId) is null).ToList();
        IReadOnlySet<PermissionAction> Actions(ConnectionGrant grant, Member m) => AccessDecision.EffectiveActions(grant.PathFor(m.UserId, m.Role, now));
        bool LosesReach(Func<AccessPath, bool> reaches) =>
            agencyUsers.Any(m => reaches(before.PathFor(m.UserId, m.Role, now))) && !agencyUsers.Any(m => reaches(after.PathFor(m.UserId, m.Role, now)));

        var losses = agencyUsers
            .Select(m => (Member: m, Lost: Actions(before, m).Except(Actions(after, m)).WireNames()))
            .Where(x => x.Lost.Count > 0)
            .Select(x => new PlannedLoss(x.Member.UserId, x.Member.Email, x.Member.Name, x.Lost))
            .ToList();
        List<string> clientReports = LosesReach(p => AccessDecision.Allows(p, PermissionAction.ReportsRead))
            ? (await reports.AllAsync(client.Id, ct)).Select(r => r.Id).ToList()
            : [];
        List<string> clientItems = LosesReach(p => AccessDecision.Allows(p, PermissionAction.ItemsReadWrite))
            ? (await items.AllAsync(client.Id, ct)).Select(i => i.Id).ToList()
            : [];
        List<PlannedIntegration> clientIntegrations = LosesReach(AccessDecision.MayReadIntegrations)
            ? (await integrations.AllAsync(client.Id, ct)).Select(i => new PlannedIntegration(client.Id, i.Id, i.Name)).ToList()
            : [];
        return new ScopeNarrowing(
            after.Permissions.WireNames(),
            before.Permissions.Except(after.Permissions).WireNames(),
            losses,
            clientReports,
            clientItems,
            clientIntegrations);
    }
}
