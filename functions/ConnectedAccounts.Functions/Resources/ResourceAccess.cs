using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Resources;

public static class ResourceAccess
{
    /// <summary>The caller's access to the account if it allows <paramref name="action"/>; else 404 (no way in) or 403.</summary>
    public static async Task<(AccountAccess? Access, ProblemHttpResult? Problem)> AuthorizeAsync(
        this AccessResolver resolver, HttpContext http, string accountId, PermissionAction action, CancellationToken ct)
    {
        if (await resolver.ResolveAsync(accountId, http.User().Id, ct) is not { } access)
        {
            return (null, Problems.NotFound("account"));
        }

        return access.Can(action) ? (access, null) : (null, Problems.Forbidden(action.WireName()));
    }

    public static Validation ListQuery(int? pageSize, string? continuationToken, out int size)
    {
        var validation = new Validation();
        size = Paging.PageSize(pageSize, validation) ?? 0;
        if (!Paging.ValidToken(continuationToken))
        {
            validation.Add("continuationToken", "Not a valid continuation token.");
        }

        return validation;
    }
}
