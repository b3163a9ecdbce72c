using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Accounts;

/// <summary>The users of an account. Only the account's own members see or manage them; agency users do not.</summary>
public static class MembersApi
{
    public static RouteGroupBuilder MapMembersApi(this RouteGroupBuilder api)
    {
        var members = api.MapGroup("/accounts/{accountId}/members").WithTags("Members");
        members.MapGet("/", ListMembers);
        members.MapPatch("/{userId}", ChangeRole);
        members.MapDelete("/{userId}", RemoveMember);
        return api;
    }

    public static async Task<Results<Ok<Page<MemberResponse>>, ProblemHttpResult>> ListMembers(
        string accountId, int? pageSize, string? continuationToken, HttpContext http, AccessResolver access, CancellationToken ct)
    {
        if (Paging.ListQuery(pageSize, continuationToken, out var size).Problem is { } problem)
        {
            return problem;
        }

        if ((await access.AuthorizeTeamAsync(http, accountId, null, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        ETags.Set(http, found.Account.ETag);
        return Paging.InMemory(found.Value.Members, m => m.UserId, size, continuationToken, MemberResponse.From) is { } page ? TypedResults.Ok(page) : Paging.InvalidToken();
    }

    public static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> ChangeRole(
        string accountId, string userId, ChangeRoleRequest request, HttpContext http, AccessResolver access, DataStore store, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var role = validation.Enum("role", request.Role, Wire.Role, Wire.RoleNames);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        return await ChangeAsync(accountId, userId, http, access, store, time, role, ct);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveMember(
        string accountId, string userId, HttpContext http, AccessResolver access, DataStore store, TimeProvider time, CancellationToken ct) =>
        await ChangeAsync(accountId, userId, http, access, store, time, null, ct) switch
        {
            { Result: Ok<MemberResponse> } => TypedResults.NoContent(),
            { Result: ProblemHttpResult p } => p,
            var other => throw new InvalidOperationException($"Unexpected result {other.Result}."),
        };

    /// <summary>Changes a member's role, or removes them when <paramref name="role"/> is null.</summary>
    private static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> ChangeAsync(
        string accountId, string userId, HttpContext http, AccessResolver access, DataStore store, TimeProvider time, Role? role, CancellationToken ct)
    {
        var caller = http.User();
        if ((await access.AuthorizeTeamAsync(http, accountId, PermissionAction.MembersManage, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        var account = found.Value;
        if (account.MemberOf(userId) is not { } member)
        {
            return Problems.NotFound("member");
        }

        if (!AccessDecision.MayHandOut(found.Actions, member.Role) || (role is { } wanted && !AccessDecision.MayHandOut(found.Actions, wanted)))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "Nobody grants more than they hold: only an orgAdmin can grant, change or remove the orgAdmin role.");
        }

        if (!ETags.IfMatchHolds(http, found.Account.ETag))
        {
            return Problems.PreconditionFailed();
        }

        var outcome = role is { } r ? account.ChangeRole(userId, r) : account.RemoveMember(userId);
        if (!outcome.Succeeded)
        {
            return Problems.Of(outcome.Error!);
        }

        var now = time.GetUtcNow();
        var entry = ActivityEntry.Of(now, ActivityActor.For(caller, found), role is null ? "member.removed" : "member.roleChanged", new ActivitySubject("member", userId, member.Name),
            details: role is { } to ? new Dictionary<string, string> { ["from"] = member.Role.WireName(), ["to"] = to.WireName() } : null);
        var result = await store.Batch(account.Id)
            .PutAccount(account, found.Account.ETag)
            .Project(new MembershipChanged(account.Id, account.Name, userId, role, now.UtcTicks))
            .Record(entry)
            .CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Ok(MemberResponse.From(account.MemberOf(userId) ?? member));
    }
}
