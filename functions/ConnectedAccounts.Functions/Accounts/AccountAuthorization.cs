using System.Diagnostics.CodeAnalysis;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Accounts;

/// <summary>The two questions endpoints ask of <see cref="AccessResolver"/>, answered with the problem to return.</summary>
public static class AccountAuthorization
{
    /// <summary>The caller's access to the account if it allows <paramref name="action"/>; else 404 (no way in) or 403.</summary>
    public static async Task<Authorization> AuthorizeAsync(
        this AccessResolver resolver, HttpContext http, string accountId, PermissionAction action, CancellationToken ct)
    {
        if (await resolver.ResolveAsync(accountId, http.User().Id, ct) is not { } access)
        {
            return new(null, Problems.NotFound("account"));
        }

        return access.Can(action) ? new(access, null) : new(null, Problems.Forbidden(action.WireName()));
    }

    /// <summary>The caller's access if they may read the account's integrations (<see cref="AccessDecision.MayReadIntegrations"/>).</summary>
    public static async Task<Authorization> AuthorizeReadIntegrationsAsync(this AccessResolver resolver, HttpContext http, string accountId, CancellationToken ct)
    {
        if (await resolver.ResolveAsync(accountId, http.User().Id, ct) is not { } access)
        {
            return new(null, Problems.NotFound("account"));
        }

        return AccessDecision.MayReadIntegrations(access.Path) ? new(access, null) : new(null, Problems.Forbidden(PermissionAction.IntegrationsCreateAndMap.WireName()));
    }

    /// <summary>
    /// For the account's team — its members and the invitations that add to them: the caller's access if they are a
    /// member, or an agency user whose connection grants <c>members.manage</c>, and may do <paramref name="action"/>
    /// (anything, when it is null); else 404 (no way in) or 403.
    /// </summary>
    public static async Task<Authorization> AuthorizeTeamAsync(
        this AccessResolver resolver, HttpContext http, string accountId, PermissionAction? action, CancellationToken ct)
    {
        if (await resolver.ResolveAsync(accountId, http.User().Id, ct) is not { } access)
        {
            return new(null, Problems.NotFound("account"));
        }

        if (!access.IsMember && !access.Can(PermissionAction.MembersManage))
        {
            return new(null, ThroughConnection());
        }

        return action is not { } needed || access.Can(needed) ? new(access, null) : new(null, Problems.Forbidden(needed.WireName()));
    }

    /// <summary>
    /// The caller's access if they are a member of the account itself and may do <paramref name="action"/> there
    /// (any member, when it is null); else 404 (no way in) or 403 (a member without the action, or an agency user who
    /// reaches the account through a connection: its members, connections and invitations are the account's own).
    /// </summary>
    public static async Task<Authorization> AuthorizeMemberAsync(
        this AccessResolver resolver, HttpContext http, string accountId, PermissionAction? action, CancellationToken ct)
    {
        if (await resolver.ResolveAsync(accountId, http.User().Id, ct) is not { } access)
        {
            return new(null, Problems.NotFound("account"));
        }

        if (!access.IsMember)
        {
            return new(null, ThroughConnection());
        }

        return action is not { } needed || access.Can(needed) ? new(access, null) : new(null, Problems.Forbidden(needed.WireName()));
    }

    private static ProblemHttpResult ThroughConnection() =>
        Problems.Create(StatusCodes.Status403Forbidden, "forbidden-through-connection", "Forbidden",
            "You reach this account through a connection: you may work on it within the connection's permissions, but its members, connections, client accounts and invitations are managed by its own members.");
}

/// <summary>Either the caller's access, or the problem to answer with.</summary>
public readonly record struct Authorization(AccountAccess? Access, ProblemHttpResult? Problem)
{
    public bool Denied([NotNullWhen(true)] out ProblemHttpResult? problem, [NotNullWhen(false)] out AccountAccess? access)
    {
        (problem, access) = (Problem, Access);
        return problem is not null;
    }
}
