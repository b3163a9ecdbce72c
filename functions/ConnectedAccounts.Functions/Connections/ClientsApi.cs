using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Invitations;
using ConnectedAccounts.Domain.Invitations;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Connections;

/// <summary>Client accounts an agency creates: a new organisation, connected to the agency at once.</summary>
public static class ClientsApi
{
    public static RouteGroupBuilder MapClientsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/accounts/{agencyAccountId}/clients", CreateClient).WithTags("Connections");
        return api;
    }

    public static async Task<Results<Created<CreateClientResponse>, ProblemHttpResult>> CreateClient(
        string agencyAccountId, CreateClientRequest request, HttpContext http, AccessResolver access, DataStore store, ConnectionStore connections, InvitationService invitations, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var name = validation.Required("name", request.Name);
        var email = validation.Email("email", request.Email);
        var agencyUsers = request.AgencyUsers is null ? AgencyUserSelection.Everyone : ConnectionWire.Selection("agencyUsers", request.AgencyUsers.All, request.AgencyUsers.UserIds, validation);
        var term = ConnectionWire.TermWithAutoExtend(request.Duration, request.AutoExtend, time.GetUtcNow(), validation);
        var permissions = ConnectionWire.Permissions("permissions", request.Permissions, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var user = http.User();
        if ((await access.AuthorizeMemberAsync(http, agencyAccountId, PermissionAction.ConnectionsRequest, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        var agency = found.Value;

        if (agency.Side != ConnectionSide.Agency || agency.IsArchived)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "connection-direction", "Conflict", "Only an active account that can request access creates client accounts.");
        }

        if (agencyUsers!.UserIds.Any(u => agency.RoleOf(u) is null))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "agency-users-invalid", "Invalid request", "Agency users must be members of the agency account.");
        }

        // The invitation row comes first, its e-mail with the account: an account that failed to commit leaves
        // an invitation nobody was told about, never an e-mail for an account that does not exist.
        // The team is never in the first grant: asking for it leaves it to the invitee, who grants it by accepting.
        var clientId = Ids.NewAccountId();
        var asked = permissions?.Contains(PermissionAction.MembersManage) == true ? [PermissionAction.MembersManage] : Array.Empty<PermissionAction>();
        permissions?.Remove(PermissionAction.MembersManage);
        var sent = await invitations.SendAsync(agency.Id, email!, (id, hash, at, lifetime) => Invitation.Create(
            id, hash, InvitationKind.ClientAccount, email!, agency.Id, agency.Name, user.Id, user.Name, user.Email, at, lifetime,
            clientAccountId: clientId, clientAccountName: name, askedPermissions: asked), queueEmail: false, ActivityActor.Member(user, agency.Id), ct);
        if (sent.RetryAfter is { } wait)
        {
            return InvitationsApi.RateLimited(http, wait);
        }

        // The account manager who creates a client manages it, as one who requests a connection does.
        var now = time.GetUtcNow();
        IReadOnlyList<string>? managers = PermissionMatrix.LimitedToManagedClients(found.MemberRole!.Value) ? [user.Id] : null;
        var client = Account.Create(clientId, Ids.NewOrganisationId(), name!, AccountKind.Client, creator: null, now, createdByAccountId: agency.Id);
        var connection = Connection.Request(Ids.NewConnectionId(client.Id), agency.Id, client.Id, ConnectionSide.Agency, user.Id, now, agencyUsers, permissions, null, managers, term, request.AutoExtend == true);
        connection.Accept(ConnectionSide.Client, now, null, null);
        client.ApplyConnection(connection);

        var created = ActivityEntry.Of(now, ActivityActor.ThroughConnection(user, agency.Id), "account.created", new ActivitySubject("account", client.Id, client.Name), connection.Id,
            new Dictionary<string, string> { ["kind"] = "client", ["createdByAccountId"] = agency.Id, ["invitationId"] = sent.Invitation!.Id });
        var result = await connections.Open(connection)
            .PutAccount(client, null)
            .Record(created, agency.Id)
            .Outbox(invitations.InviteEmail(sent.Invitation!, sent.Token!))
            .CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.ConcurrentUpdate();
        }

        return TypedResults.Created($"/api/accounts/{client.Id}", new CreateClientResponse(
            AccountResponse.From(client), ConnectionResponse.From(connection, now, ConnectionNames.Of(agency, client)), InvitationResponse.From(sent.Invitation!)));
    }
}
