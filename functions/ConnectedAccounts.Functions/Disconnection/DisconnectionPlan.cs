using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Functions.Resources;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Disconnection;

public sealed record PlannedIntegration(string AccountId, string IntegrationId, string Name);

public sealed record PlannedUser(string UserId, string Email, string Name, string AccountId);

/// <summary>
/// What disconnecting one connection does. The preview shows it; the disconnect stores it beside the connection
/// in the same batch that ends access, and the worker carries out exactly what it stored.
/// </summary>
public sealed record DisconnectionPlan(
    string ConnectionId,
    string AgencyAccountId,
    string ClientAccountId,
    bool AgencyCreatedClient,
    IReadOnlyList<PlannedIntegration> IntegrationsToPause,
    int ReportsToArchive,
    IReadOnlyList<PlannedUser> UsersLosingAccess,
    bool OrganisationRemoved,
    IReadOnlyList<PlannedUser> MembershipsRemoved,
    IReadOnlyList<PlannedUser> AdminsToNotify,
    string AgencyAccountName,
    string ClientAccountName,
    string DisconnectedByName = "",
    string DisconnectedByAccountName = "")
{
    public static string RowKey(string connectionId) => "disconnect|" + connectionId;
}

/// <summary>Works out a <see cref="DisconnectionPlan"/> from the current rows of both accounts.</summary>
public sealed class DisconnectionPlanner(DataStore store, ResourceStore<Integration> integrations, ResourceStore<Report> reports)
{
    /// <summary>The e-mails travel in the completing batch (≤ 100 rows), beside the few rows it changes.</summary>
    public const int MaxAdminsNotified = 90;

    public async Task<(DisconnectionPlan Plan, IReadOnlyList<string> ReportIds)> PlanAsync(Connection connection, Account agency, Account client, CancellationToken ct)
    {
        var agencyCreated = client.CreatedByAccountId == agency.Id;
        var paused = new List<PlannedIntegration>();
        foreach (var accountId in agencyCreated ? new[] { agency.Id, client.Id } : [agency.Id])
        {
            foreach (var integration in await integrations.AllAsync(accountId, ct))
            {
                var feedsClient = integration.MappedClientAccountIds.Contains(client.Id) || (accountId == client.Id && integration.MappedClientAccountIds.Count == 0);
                if (feedsClient && !integration.PausedFor.Contains(client.Id))
                {
                    paused.Add(new PlannedIntegration(accountId, integration.Id, integration.Name));
                }
            }
        }

        var reportIds = agencyCreated
            ? (await reports.AllAsync(client.Id, ct)).Where(r => !r.Archived).Select(r => r.Id).ToList()
            : [];
        var losing = agency.Members
            .Where(m => connection.AgencyUsers.Includes(m.UserId))
            .Select(m => new PlannedUser(m.UserId, m.Email, m.Name, agency.Id))
            .ToList();
        var removed = agencyCreated ? client.Members.Select(m => new PlannedUser(m.UserId, m.Email, m.Name, client.Id)).ToList() : [];
        var plan = new DisconnectionPlan(connection.Id, agency.Id, client.Id, agencyCreated, paused, reportIds.Count, losing, agencyCreated, removed, AdminsOf(agency, client), agency.Name, client.Name);
        return (plan, reportIds);
    }

    /// <summary>The orgAdmins of both sides who have an address, each once: who hears of what happens to a connection.</summary>
    public static IReadOnlyList<PlannedUser> AdminsOf(Account agency, Account client) =>
        agency.Members.Select(m => (m, agency.Id)).Concat(client.Members.Select(m => (m, client.Id)))
            .Where(x => x.m.Role is Domain.Permissions.Role.OrgAdmin && x.m.Email.Length > 0)
            .DistinctBy(x => x.m.Email, StringComparer.OrdinalIgnoreCase)
            .Select(x => new PlannedUser(x.m.UserId, x.m.Email, x.m.Name, x.Item2))
            .Take(MaxAdminsNotified)
            .ToList();

    public static TableEntity ToEntity(DisconnectionPlan plan) =>
        Documents.ToEntity(plan.ClientAccountId, DisconnectionPlan.RowKey(plan.ConnectionId), "disconnection", plan, AppJsonContext.Default.DisconnectionPlan);

    public async Task<DisconnectionPlan?> GetStoredAsync(string clientAccountId, string connectionId, CancellationToken ct)
    {
        var entity = await store.Data.GetEntityIfExistsAsync(clientAccountId, DisconnectionPlan.RowKey(connectionId), ct);
        return entity is null ? null : Documents.FromEntity(entity, AppJsonContext.Default.DisconnectionPlan);
    }
}
