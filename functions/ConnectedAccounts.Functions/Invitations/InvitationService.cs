using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Invitations;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Invitations;

/// <summary>A sent invitation and its token (held only long enough to go into the e-mail), or the wait a limit imposes.</summary>
public sealed record SendOutcome(Invitation? Invitation, string? Token, TimeSpan? RetryAfter, ProblemHttpResult? Problem = null);

/// <summary>An answered invitation, or the problem that refused it (nothing changed then).</summary>
public sealed record AnswerOutcome(Invitation? Invitation, string? AccountId, Connection? Connection, ProblemHttpResult? Problem, ConnectionNames? Names = null)
{
    public static implicit operator AnswerOutcome(ProblemHttpResult problem) => new(null, null, null, problem);
}

/// <summary>
/// Sends and answers invitations. The token-hash row is the only state; accepting claims it first (its ETag
/// decides among concurrent accepters), then applies the effect in the target account's partition together with
/// a marker row, so a retry after a crash applies it once, and finally records completion.
/// </summary>
public sealed class InvitationService(DataStore store, InvitationStore invitations, IOptions<EmailOptions> email)
{
    private const int MaxAttempts = 5;

    /// <summary>
    /// A claim younger than this belongs to a request that may still be running, so a second accept (a double
    /// click) loses; an older unfinished claim was left by a crash, and its accepter's retry finishes it.
    /// </summary>
    public static readonly TimeSpan ResumeAfter = TimeSpan.FromSeconds(30);

    /// <param name="by">Who sends it, as the inviting account's trail names them.</param>
    public async Task<SendOutcome> SendAsync(
        string accountId, string address, Func<string, string, DateTimeOffset, TimeSpan, Invitation> build, bool queueEmail, ActivityActor by, CancellationToken ct)
    {
        if (await invitations.TryCountSendAsync(accountId, address, ct) is { } wait)
        {
            return new(null, null, wait);
        }

        var (token, hash) = InvitationToken.New();
        var invitation = build(Ids.New("inv"), hash, store.Time.GetUtcNow(), invitations.Options.Lifetime);
        await invitations.WriteIndexesAsync(invitation, ct);
        var batch = invitations.Batch(invitation, null).RecordOn(accountId, InvitationActivity.Of(invitation.CreatedAt, by, "invitation.sent", invitation));
        if (queueEmail)
        {
            batch.Outbox(EmailEntry(InvitationEmails.Invite(invitation, token, email.Value)));
        }

        var result = await batch.CommitAsync(ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("A new invitation's partition already existed: the token generator repeated itself.");
        }

        return new(invitation, token, null);
    }

    public OutboxEntry InviteEmail(Invitation invitation, string token) => EmailEntry(InvitationEmails.Invite(invitation, token, email.Value));

    /// <summary>A new token for the same terms; the old link dies first, so at no moment do two links work.</summary>
    public async Task<SendOutcome> ResendAsync(Stored<Invitation> old, ActivityActor by, CancellationToken ct)
    {
        if (old.Value.State is not (InvitationState.Pending or InvitationState.Expired))
        {
            return new(null, null, null, Problems.Of(InvitationErrors.NotPending(old.Value.State)));
        }

        if (await invitations.TryCountSendAsync(old.Value.FromAccountId, old.Value.Email, ct) is { } wait)
        {
            return new(null, null, wait);
        }

        var now = store.Time.GetUtcNow();
        var (token, hash) = InvitationToken.New();
        var successorId = Ids.New("inv");
        var successor = old.Value.Successor(successorId, hash, now, invitations.Options.Lifetime);
        if (!old.Value.Supersede(successorId, hash, now).Succeeded || !(await invitations.Batch(old.Value, old.ETag).CommitAsync(ct)).Succeeded)
        {
            return new(null, null, null, Problems.ConcurrentUpdate());
        }

        await invitations.WriteIndexesAsync(successor, ct);
        var created = await invitations.Batch(successor, null)
            .Outbox(EmailEntry(InvitationEmails.Invite(successor, token, email.Value)))
            .RecordOn(successor.FromAccountId, InvitationActivity.Of(now, by, "invitation.resent", successor))
            .CommitAsync(ct);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException("A new invitation's partition already existed: the token generator repeated itself.");
        }

        return new(successor, token, null);
    }

    public async Task<ProblemHttpResult?> CancelAsync(Stored<Invitation> found, ActivityActor by, CancellationToken ct)
    {
        var now = store.Time.GetUtcNow();
        var outcome = found.Value.Cancel(now);
        if (!outcome.Succeeded)
        {
            return Problems.Of(outcome.Error!);
        }

        var batch = invitations.Batch(found.Value, found.ETag).RecordOn(found.Value.FromAccountId, InvitationActivity.Of(now, by, "invitation.cancelled", found.Value));
        return (await batch.CommitAsync(ct)).Succeeded ? null : Problems.ConcurrentUpdate();
    }

    public async Task<AnswerOutcome> DeclineAsync(Stored<Invitation> found, CurrentUser user, CancellationToken ct)
    {
        var invitation = found.Value;
        if (!invitation.IsAddressedTo(user.Email))
        {
            return Problems.Of(InvitationErrors.EmailMismatch);
        }

        var now = store.Time.GetUtcNow();
        var outcome = invitation.Decline(user.Email, now);
        if (!outcome.Succeeded)
        {
            return Problems.Of(outcome.Error!);
        }

        var batch = invitations.Batch(invitation, found.ETag).RecordOn(invitation.FromAccountId, InvitationActivity.Of(now, InvitationActivity.Invitee(user), "invitation.declined", invitation));
        if (invitation.Kind == InvitationKind.Connection)
        {
            batch.Outbox(EmailEntry(InvitationEmails.Declined(invitation, user.Name)));
        }

        return (await batch.CommitAsync(ct)).Succeeded ? new(invitation, null, null, null) : await LostRaceAsync(invitation, ct);
    }

    public async Task<AnswerOutcome> AcceptAsync(Stored<Invitation> found, CurrentUser user, AcceptInvitationRequest? request, CancellationToken ct)
    {
        var invitation = found.Value;
        if (!invitation.IsAddressedTo(user.Email))
        {
            return Problems.Of(InvitationErrors.EmailMismatch);
        }

        var etag = found.ETag;
        var now = store.Time.GetUtcNow();
        var resuming = invitation.State == InvitationState.Accepted && !invitation.Completed && invitation.AcceptedByUserId == user.Id &&
            now - invitation.EndedAt >= ResumeAfter;
        if (!resuming)
        {
            if (invitation.Refusal(now) is { } refusal)
            {
                return Problems.Of(refusal);
            }

            // Everything that can refuse is checked before the claim, so a refused accept changes nothing.
            var plan = await PlanAsync(invitation, user, request, ct);
            if (plan.Problem is { } problem)
            {
                return problem;
            }

            invitation.Accept(user.Id, user.Email, plan.AccountId!, plan.NewAccountName, now, plan.Granted);
            var claim = await invitations.Batch(invitation, etag).CommitAsync(ct);
            if (!claim.Succeeded)
            {
                return await LostRaceAsync(invitation, ct);
            }

            etag = claim.ETags[0];
        }

        var applied = await ApplyAsync(invitation, user, ct);
        if (applied.Problem is not null)
        {
            invitation.Release();
            await invitations.Batch(invitation, etag).CommitAsync(ct);
            return applied;
        }

        invitation.Complete();
        await invitations.Batch(invitation, etag).CommitAsync(ct);
        return applied with { Invitation = invitation };
    }

    private async Task<AnswerOutcome> LostRaceAsync(Invitation invitation, CancellationToken ct)
    {
        var current = await invitations.GetAsync(invitation.TokenHash, ct);
        return Problems.Of(current?.Value.Refusal(store.Time.GetUtcNow()) ?? InvitationErrors.Used);
    }

    /// <param name="Granted">For a client account: which asked permissions the invitee grants (null: all).</param>
    private sealed record Plan(string? AccountId, string? NewAccountName, ProblemHttpResult? Problem, IReadOnlySet<PermissionAction>? Granted = null)
    {
        public static implicit operator Plan(ProblemHttpResult problem) => new(null, null, problem);
    }

    private async Task<Plan> PlanAsync(Invitation invitation, CurrentUser user, AcceptInvitationRequest? request, CancellationToken ct)
    {
        if (invitation.Kind != InvitationKind.Connection)
        {
            var granting = new Validation();
            var granted = invitation.Kind == InvitationKind.ClientAccount ? ConnectionWire.Permissions("permissions", request?.Permissions, granting) : null;
            if (granting.Problem is { } badPermissions)
            {
                return badPermissions;
            }

            var accountId = invitation.Kind == InvitationKind.Member ? invitation.FromAccountId : invitation.ClientAccountId!;
            var account = await store.GetAccountAsync(accountId, ct);
            if (account is null || account.Value.IsArchived)
            {
                return Unavailable();
            }

            return account.Value.RoleOf(user.Id) is null
                ? new Plan(accountId, null, null, granted)
                : Problems.Create(StatusCodes.Status409Conflict, "already-member", "Conflict", "You are already a member of this account.");
        }

        var validation = new Validation();
        if ((request?.AccountId is null) == (request?.NewAccount is null))
        {
            validation.Add("accountId", "Give exactly one of accountId (an account you administer) and newAccount { name }.");
        }

        var chosenId = validation.Id("accountId", request?.AccountId, required: false);
        var newName = request?.NewAccount is { } n ? validation.Required("newAccount.name", n.Name) : null;
        if (validation.Problem is { } invalid)
        {
            return invalid;
        }

        var terms = invitation.Connection!;
        var from = await store.GetAccountAsync(invitation.FromAccountId, ct);
        if (from is null || from.Value.IsArchived)
        {
            return Unavailable();
        }

        if (newName is not null)
        {
            return new Plan(Ids.NewAccountId(), newName, null);
        }

        var chosen = await store.GetAccountAsync(chosenId!, ct);
        if (chosen?.Value.RoleOf(user.Id) is not { } role)
        {
            return Problems.NotFound("account");
        }

        // The chosen account receives this request, so the caller accepts it for that account.
        if (!PermissionMatrix.Allows(role, PermissionAction.ConnectionsAccept))
        {
            return Problems.Forbidden(PermissionAction.ConnectionsAccept.WireName());
        }

        if (chosen.Value.IsArchived)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "account-archived", "Conflict", "An archived account cannot connect.");
        }

        if (chosen.Value.Side == terms.FromSide || chosen.Value.Id == from.Value.Id)
        {
            var needed = terms.FromSide == ConnectionSide.Agency ? "grant" : "request";
            return Problems.Create(StatusCodes.Status409Conflict, "connection-direction", "Conflict", $"Choose an account that can {needed} access.");
        }

        var (agencyId, clientId) = terms.FromSide == ConnectionSide.Agency ? (from.Value.Id, chosen.Value.Id) : (chosen.Value.Id, from.Value.Id);
        if (await store.Data.GetEntityIfExistsAsync(clientId, Keys.ConnectionPair(agencyId), ct) is not null)
        {
            return ConnectionExists();
        }

        return new Plan(chosen.Value.Id, null, null);
    }

    /// <summary>Applies an accepted invitation's effect once; the marker row in the same batch makes a repeat a no-op.</summary>
    private async Task<AnswerOutcome> ApplyAsync(Invitation invitation, CurrentUser user, CancellationToken ct)
    {
        var target = invitation.AcceptedAccountId!;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var outcome = invitation.Kind == InvitationKind.Connection
                ? await ApplyConnectionAsync(invitation, user, ct)
                : await ApplyMembershipAsync(invitation, user, target, ct);
            if (outcome is not null)
            {
                return outcome;
            }
        }

        return Problems.ConcurrentUpdate();
    }

    /// <returns>Null when the batch lost an ETag race and should be tried again.</returns>
    private async Task<AnswerOutcome?> ApplyMembershipAsync(Invitation invitation, CurrentUser user, string accountId, CancellationToken ct)
    {
        var marker = InvitationKeys.AppliedMarker(invitation.Id);
        if (await store.Data.GetEntityIfExistsAsync(accountId, marker, ct) is not null)
        {
            return new(null, accountId, null, null);
        }

        var account = await store.GetAccountAsync(accountId, ct);
        if (account is null || account.Value.IsArchived)
        {
            return Unavailable();
        }

        var role = invitation.Kind == InvitationKind.Member ? invitation.Member!.Role : Role.OrgAdmin;
        var actions = invitation.Kind == InvitationKind.Member ? invitation.Member!.Actions : null;
        if (account.Value.RoleOf(user.Id) is not null)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "already-member", "Conflict", "You are already a member of this account.");
        }

        var added = account.Value.AddMember(new Member(user.Id, user.Email, user.Name, role, actions));
        if (!added.Succeeded)
        {
            return Problems.Of(added.Error!);
        }

        // What the invitee granted of the agency's ask joins the connection in the same batch (its row is in this partition).
        var now = store.Time.GetUtcNow();
        var connection = invitation.GrantedPermissions.Count > 0 && account.Value.Grants.FirstOrDefault(g => g.AgencyAccountId == invitation.FromAccountId) is { } grant
            ? await store.GetConnectionAsync(grant.ConnectionId, ct)
            : null;
        if (connection is not null)
        {
            var widened = connection.Value.ChangePermissions(connection.Value.Permissions.Union(invitation.GrantedPermissions).ToHashSet(), now);
            if (!widened.Succeeded)
            {
                return Problems.Of(widened.Error!);
            }

            account.Value.ApplyConnection(connection.Value);
        }

        var batch = store.Batch(accountId)
            .PutAccount(account.Value, account.ETag)
            .Put(new TableEntity(accountId, marker), null)
            .Project(new MembershipChanged(accountId, account.Value.Name, user.Id, role, now.UtcTicks))
            .Record(ActivityEntry.Of(now, ActivityActor.Member(user, accountId), "member.joined", new ActivitySubject("member", user.Id, user.Name),
                connection?.Value.Id, new Dictionary<string, string>
                {
                    ["role"] = role.WireName(),
                    ["invitationId"] = invitation.Id,
                    ["invitedBy"] = invitation.InvitedByName,
                    ["grantedPermissions"] = string.Join(",", invitation.GrantedPermissions.WireNames()),
                }));
        if (connection is not null)
        {
            batch.PutConnection(connection.Value, connection.ETag).Project(new ConnectionChanged(connection.Value.ToSnapshot()));
        }

        var result = await batch.CommitAsync(ct);
        return result.Succeeded || result.FailedIndex == 1 ? new(null, accountId, null, null) : null;
    }

    /// <returns>Null when the batch lost an ETag race and should be tried again.</returns>
    private async Task<AnswerOutcome?> ApplyConnectionAsync(Invitation invitation, CurrentUser user, CancellationToken ct)
    {
        var terms = invitation.Connection!;
        var chosenId = invitation.AcceptedAccountId!;
        var (agencyId, clientId) = terms.FromSide == ConnectionSide.Agency ? (invitation.FromAccountId, chosenId) : (chosenId, invitation.FromAccountId);
        var marker = InvitationKeys.AppliedMarker(invitation.Id);
        if (await store.Data.GetEntityIfExistsAsync(clientId, marker, ct) is { } applied)
        {
            var existing = await store.GetConnectionAsync(applied.GetString("ConnectionId") ?? "", ct);
            return new(null, chosenId, existing?.Value, null);
        }

        var now = store.Time.GetUtcNow();
        var creator = new Member(user.Id, user.Email, user.Name, Role.OrgAdmin);
        var newAccount = invitation.NewAccountName is { } name
            ? Account.Create(chosenId, Ids.NewOrganisationId(), name, terms.FromSide == ConnectionSide.Agency ? AccountKind.Client : AccountKind.Agency, creator, now)
            : null;
        if (newAccount is not null && terms.FromSide == ConnectionSide.Client)
        {
            // The new agency account goes first, in its own partition; on a retry it is already there.
            await store.Batch(chosenId)
                .PutAccount(newAccount, null)
                .Project(new MembershipChanged(chosenId, newAccount.Name, user.Id, Role.OrgAdmin, now.UtcTicks))
                .CommitAsync(ct);
        }

        var client = newAccount is not null && terms.FromSide == ConnectionSide.Agency ? new Stored<Account>(newAccount, ETag.Any) : await store.GetAccountAsync(clientId, ct);
        var chosen = newAccount ?? (await store.GetAccountAsync(chosenId, ct))?.Value;
        if (client is null || chosen is null || client.Value.IsArchived)
        {
            return Unavailable();
        }

        var connection = Connection.Request(
            Ids.NewConnectionId(clientId), agencyId, clientId, terms.FromSide, invitation.InvitedByUserId, invitation.CreatedAt,
            terms.AgencyUsers, terms.Permissions?.ToHashSet(), terms.Message, terms.AccountManagerIds,
            terms.Duration is { } duration && ConnectionTerm.TryParse(duration, out var term) ? term : null, terms.AutoExtend);
        var accepted = connection.Accept(InvitationEmails.Other(terms.FromSide), now, null, null);
        if (!accepted.Succeeded)
        {
            return Problems.Of(accepted.Error!);
        }

        client.Value.ApplyConnection(connection);
        var isNewClient = newAccount is not null && terms.FromSide == ConnectionSide.Agency;
        var batch = store.Batch(clientId)
            .PutAccount(client.Value, isNewClient ? null : client.ETag)
            .PutConnection(connection, null)
            .Put(new TableEntity(clientId, Keys.ConnectionPair(agencyId)) { ["ConnectionId"] = connection.Id }, null)
            .Put(new TableEntity(clientId, marker) { ["ConnectionId"] = connection.Id }, null)
            .Project(new ConnectionChanged(connection.ToSnapshot()))
            .Outbox(EmailEntry(InvitationEmails.Accepted(invitation, chosen.Name, user.Name, connection.Id, email.Value)));
        var (agencyName, clientName) = terms.FromSide == ConnectionSide.Agency ? (invitation.FromAccountName, chosen.Name) : (chosen.Name, invitation.FromAccountName);
        batch.Record(ConnectionActivity.Of(now, ActivityActor.Member(user, chosenId), "connection.accepted", connection, agencyName, clientName,
            new Dictionary<string, string> { ["invitationId"] = invitation.Id }), agencyId);
        if (isNewClient)
        {
            batch.Project(new MembershipChanged(clientId, client.Value.Name, user.Id, Role.OrgAdmin, now.UtcTicks));
        }

        var result = await batch.CommitAsync(ct);
        return result switch
        {
            { Succeeded: true } => new AnswerOutcome(null, chosenId, connection, null, new ConnectionNames(agencyName, clientName)),
            { FailedIndex: 2 } => (AnswerOutcome)ConnectionExists(),
            _ => null,
        };
    }

    private static ProblemHttpResult Unavailable() =>
        Problems.Create(StatusCodes.Status409Conflict, "invitation-account-unavailable", "Conflict", "The account this invitation is about no longer exists or is archived.");

    private static ProblemHttpResult ConnectionExists() =>
        Problems.Create(StatusCodes.Status409Conflict, "connection-exists", "Conflict", "These accounts already have a pending or active connection.");

    private static OutboxEntry EmailEntry(EmailRequest request) => new(EmailQueue.Name, EmailQueue.ToMessageText(request));
}
