using System.Globalization;
using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Invitations;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Invitations;

public static class InvitationsApi
{
    /// <summary>
    /// The one answer an anonymous caller gets for a token that cannot be used, whatever the reason: a constant
    /// body (no trace id), so unknown, expired, used and cancelled links are byte-for-byte alike.
    /// </summary>
    public const string UnusableLinkBody =
        "{\"type\":\"https://connected-accounts.dev/problems/invitation-not-found\",\"title\":\"Not found\",\"status\":404," +
        "\"detail\":\"This invitation link cannot be used. It may have expired or been answered already; ask the sender for a new one.\"}";

    /// <summary>The link preview: the only route of the API that needs no sign-in.</summary>
    public static IEndpointRouteBuilder MapInvitationPreview(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/invitations/{token}", Preview).AllowAnonymous().WithTags("Invitations");
        return app;
    }

    public static RouteGroupBuilder MapInvitationsApi(this RouteGroupBuilder api)
    {
        var byToken = api.MapGroup("/invitations/{token}").WithTags("Invitations");
        byToken.MapPost("/accept", AcceptByToken);
        byToken.MapPost("/decline", DeclineByToken);

        var mine = api.MapGroup("/me/invitations").WithTags("Invitations");
        mine.MapGet("/", ListMine);
        mine.MapPost("/{invitationId}/accept", AcceptMine);
        mine.MapPost("/{invitationId}/decline", DeclineMine);

        var byAccount = api.MapGroup("/accounts/{accountId}/invitations").WithTags("Invitations");
        byAccount.MapGet("/", ListForAccount);
        byAccount.MapPost("/{invitationId}/resend", Resend);
        byAccount.MapPost("/{invitationId}/cancel", Cancel);

        api.MapPost("/accounts/{accountId}/members", InviteMember).WithTags("Members");
        return api;
    }

    public static async Task<Results<Ok<InvitationPreview>, ContentHttpResult>> Preview(string token, InvitationStore invitations, CancellationToken ct)
    {
        if (InvitationToken.TryHash(token) is { } hash && await invitations.GetAsync(hash, ct) is { } found && found.Value.IsOpen(invitations.Time.GetUtcNow()))
        {
            var i = found.Value;
            return TypedResults.Ok(new InvitationPreview(InvitationWire.Of(i.Kind), i.FromAccountName, i.ExpiresAt, i.AskedPermissions.WireNames()));
        }

        return TypedResults.Content(UnusableLinkBody, "application/problem+json", statusCode: StatusCodes.Status404NotFound);
    }

    public static async Task<Results<Ok<InvitationAcceptedResponse>, ProblemHttpResult>> AcceptByToken(
        string token, AcceptInvitationRequest? request, HttpContext http, InvitationStore invitations, InvitationService service, CancellationToken ct) =>
        await ByTokenAsync(token, invitations, ct) is { } found
            ? Accepted(await service.AcceptAsync(found, http.User(), request, ct), invitations.Time.GetUtcNow())
            : Problems.NotFound("invitation");

    public static async Task<Results<Ok<InvitationResponse>, ProblemHttpResult>> DeclineByToken(
        string token, HttpContext http, InvitationStore invitations, InvitationService service, CancellationToken ct) =>
        await ByTokenAsync(token, invitations, ct) is { } found
            ? Declined(await service.DeclineAsync(found, http.User(), ct))
            : Problems.NotFound("invitation");

    public static async Task<Results<Ok<Page<InvitationResponse>>, ProblemHttpResult>> ListMine(
        int? pageSize, string? continuationToken, HttpContext http, InvitationStore invitations, CancellationToken ct)
    {
        if (Paging.ListQuery(pageSize, continuationToken, out var size).Problem is { } problem)
        {
            return problem;
        }

        var user = http.User();
        if (string.IsNullOrWhiteSpace(user.Email))
        {
            return TypedResults.Ok(new Page<InvitationResponse>([], null));
        }

        var now = invitations.Time.GetUtcNow();
        var open = (await invitations.ListAsync(InvitationKeys.Inbox(user.Email), null, ct))
            .Select(s => s.Value)
            .Where(i => i.IsOpen(now) && i.IsAddressedTo(user.Email));
        return Paging.InMemory(open, OldestFirst, size, continuationToken, InvitationResponse.From) is { } page ? TypedResults.Ok(page) : Paging.InvalidToken();
    }

    public static async Task<Results<Ok<InvitationAcceptedResponse>, ProblemHttpResult>> AcceptMine(
        string invitationId, AcceptInvitationRequest? request, HttpContext http, InvitationStore invitations, InvitationService service, CancellationToken ct) =>
        await MineAsync(invitationId, http, invitations, ct) is { } found
            ? Accepted(await service.AcceptAsync(found, http.User(), request, ct), invitations.Time.GetUtcNow())
            : Problems.NotFound("invitation");

    public static async Task<Results<Ok<InvitationResponse>, ProblemHttpResult>> DeclineMine(
        string invitationId, HttpContext http, InvitationStore invitations, InvitationService service, CancellationToken ct) =>
        await MineAsync(invitationId, http, invitations, ct) is { } found
            ? Declined(await service.DeclineAsync(found, http.User(), ct))
            : Problems.NotFound("invitation");

    public static async Task<Results<Ok<Page<InvitationResponse>>, ProblemHttpResult>> ListForAccount(
        string accountId, int? pageSize, string? continuationToken, HttpContext http, AccessResolver access, InvitationStore invitations, CancellationToken ct)
    {
        if (Paging.ListQuery(pageSize, continuationToken, out var size).Problem is { } problem)
        {
            return problem;
        }

        if ((await access.AuthorizeTeamAsync(http, accountId, null, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        if (!found.Can(PermissionAction.MembersManage) && !found.Can(PermissionAction.ConnectionsRequest))
        {
            return Problems.Forbidden(PermissionAction.MembersManage.WireName());
        }

        var now = invitations.Time.GetUtcNow();
        var open = await invitations.OpenForAccountAsync(accountId, now, ct);
        return Paging.InMemory(open, OldestFirst, size, continuationToken, InvitationResponse.From) is { } page ? TypedResults.Ok(page) : Paging.InvalidToken();
    }

    /// <summary>Open invitations are few (sending is rate-limited, links live 7 days), so they are paged in memory, oldest first.</summary>
    private static string OldestFirst(Invitation invitation) =>
        invitation.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) + "|" + invitation.Id;

    public static async Task<Results<Ok<InvitationResponse>, ProblemHttpResult>> Resend(
        string accountId, string invitationId, HttpContext http, AccessResolver access, InvitationStore invitations, InvitationService service, CancellationToken ct)
    {
        if (await ManagedAsync(accountId, invitationId, http, access, invitations, ct) is not { } found)
        {
            return Problems.NotFound("invitation");
        }

        if (found.Problem is { } refused)
        {
            return refused;
        }

        var sent = await service.ResendAsync(found.Invitation!, ActivityActor.For(http.User(), found.Access!), ct);
        if (sent.RetryAfter is { } wait)
        {
            return RateLimited(http, wait);
        }

        return sent.Problem ?? (Results<Ok<InvitationResponse>, ProblemHttpResult>)TypedResults.Ok(InvitationResponse.From(sent.Invitation!));
    }

    public static async Task<Results<Ok<InvitationResponse>, ProblemHttpResult>> Cancel(
        string accountId, string invitationId, HttpContext http, AccessResolver access, InvitationStore invitations, InvitationService service, CancellationToken ct)
    {
        if (await ManagedAsync(accountId, invitationId, http, access, invitations, ct) is not { } found)
        {
            return Problems.NotFound("invitation");
        }

        if (found.Problem is { } refused)
        {
            return refused;
        }

        return await service.CancelAsync(found.Invitation!, ActivityActor.For(http.User(), found.Access!), ct) is { } problem
            ? problem
            : TypedResults.Ok(InvitationResponse.From(found.Invitation!.Value));
    }

    public static async Task<Results<Accepted<InvitationResponse>, ProblemHttpResult>> InviteMember(
        string accountId, InviteMemberRequest request, HttpContext http, AccessResolver access, InvitationService service, CancellationToken ct)
    {
        var validation = new Validation();
        var email = validation.Email("email", request.Email);
        var role = validation.Enum("role", request.Role, Wire.Role, Wire.RoleNames);
        var actions = MemberActions(request.Actions, role, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var user = http.User();
        if ((await access.AuthorizeTeamAsync(http, accountId, PermissionAction.MembersManage, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        if (!AccessDecision.MayHandOut(found.Actions, role!.Value, actions))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "Nobody grants more than they hold: only an orgAdmin can invite an orgAdmin.");
        }

        if (found.Value.IsArchived)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "account-archived", "Conflict", "An archived account cannot invite members.");
        }

        var account = found.Value;
        var sent = await service.SendAsync(account.Id, email!, (id, hash, at, lifetime) => Invitation.Create(
            id, hash, InvitationKind.Member, email!, account.Id, account.Name, user.Id, user.Name, user.Email, at, lifetime,
            member: new MemberTerms(role!.Value, actions)), queueEmail: true, ActivityActor.For(user, found), ct);
        if (sent.RetryAfter is { } wait)
        {
            return RateLimited(http, wait);
        }

        return TypedResults.Accepted($"/api/accounts/{account.Id}/invitations", InvitationResponse.From(sent.Invitation!));
    }

    /// <summary>Connection by e-mail, from <c>POST /api/accounts/{id}/connections</c> with <c>targetEmail</c>.</summary>
    public static async Task<Results<Created<InvitationResponse>, ProblemHttpResult>> InviteToConnectAsync(
        Account from, CurrentUser user, string email, ConnectionTerms terms, HttpContext http, InvitationService service, CancellationToken ct)
    {
        var sent = await service.SendAsync(from.Id, email, (id, hash, at, lifetime) => Invitation.Create(
            id, hash, InvitationKind.Connection, email, from.Id, from.Name, user.Id, user.Name, user.Email, at, lifetime,
            connection: terms), queueEmail: true, ActivityActor.Member(user, from.Id), ct);
        if (sent.RetryAfter is { } wait)
        {
            return RateLimited(http, wait);
        }

        return TypedResults.Created($"/api/accounts/{from.Id}/invitations", InvitationResponse.From(sent.Invitation!));
    }

    public static ProblemHttpResult RateLimited(HttpContext http, TimeSpan wait)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(StatusCodes.Status429TooManyRequests, "invitation-rate-limited", "Too many invitations",
            $"Too many invitations from this account or to this address in the last day. Try again in {seconds} seconds.");
    }

    private static List<PermissionAction>? MemberActions(IReadOnlyList<string>? names, Role? role, Validation validation)
    {
        if (names is null)
        {
            return null;
        }

        var allowed = role is { } r ? PermissionMatrix.ActionsOf(r) : null;
        var result = new List<PermissionAction>();
        foreach (var name in names.Take(PermissionActions.All.Count + 1))
        {
            if (!PermissionActions.TryParse(name, out var action))
            {
                validation.Add("actions", $"Unknown action '{(name is { Length: > 40 } ? name[..40] + "…" : name)}'.");
            }
            else if (allowed is not null && !allowed.Contains(action))
            {
                validation.Add("actions", $"'{name}' is not an action of that role; actions may only narrow it.");
            }
            else
            {
                result.Add(action);
            }
        }

        if (names.Count > PermissionActions.All.Count)
        {
            validation.Add("actions", "Too many actions.");
        }

        return result.Distinct().Order().ToList();
    }

    private sealed record Managed(Stored<Invitation>? Invitation, ProblemHttpResult? Problem, AccountAccess? Access = null);

    /// <summary>An invitation this account sent, for a caller allowed to manage it; null answers 404.</summary>
    private static async Task<Managed?> ManagedAsync(
        string accountId, string invitationId, HttpContext http, AccessResolver access, InvitationStore invitations, CancellationToken ct)
    {
        if ((await access.AuthorizeTeamAsync(http, accountId, null, ct)).Denied(out var denied, out var found))
        {
            return denied.StatusCode == StatusCodes.Status404NotFound ? null : new(null, denied);
        }

        if (!Domain.Common.Ids.IsWellFormed(invitationId))
        {
            return null;
        }

        if (await invitations.FindForAccountAsync(accountId, invitationId, ct) is not { } invitation)
        {
            return null;
        }

        var needed = invitation.Value.Kind == InvitationKind.Member ? PermissionAction.MembersManage : PermissionAction.ConnectionsRequest;
        if (!found.Can(needed))
        {
            return new(null, Problems.Forbidden(needed.WireName()));
        }

        if (invitation.Value.Member is { } terms && !AccessDecision.MayHandOut(found.Actions, terms.Role))
        {
            return new(null, Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "Nobody grants more than they hold: only an orgAdmin can manage an orgAdmin invitation."));
        }

        return new(invitation, null, found);
    }

    private static async Task<Stored<Invitation>?> ByTokenAsync(string token, InvitationStore invitations, CancellationToken ct) =>
        InvitationToken.TryHash(token) is { } hash ? await invitations.GetAsync(hash, ct) : null;

    private static async Task<Stored<Invitation>?> MineAsync(string invitationId, HttpContext http, InvitationStore invitations, CancellationToken ct)
    {
        var user = http.User();
        return Domain.Common.Ids.IsWellFormed(invitationId) && !string.IsNullOrWhiteSpace(user.Email)
            ? await invitations.FindForRecipientAsync(user.Email, invitationId, ct)
            : null;
    }

    private static Results<Ok<InvitationAcceptedResponse>, ProblemHttpResult> Accepted(AnswerOutcome outcome, DateTimeOffset now) =>
        outcome.Problem is { } problem
            ? problem
            : TypedResults.Ok(new InvitationAcceptedResponse(
                outcome.Invitation!.Id,
                InvitationWire.Of(outcome.Invitation.Kind),
                InvitationWire.Of(outcome.Invitation.State),
                outcome.AccountId!,
                outcome.Connection is { } c ? ConnectionResponse.From(c, now, outcome.Names!) : null));

    private static Results<Ok<InvitationResponse>, ProblemHttpResult> Declined(AnswerOutcome outcome) =>
        outcome.Problem is { } problem ? problem : TypedResults.Ok(InvitationResponse.From(outcome.Invitation!));
}
