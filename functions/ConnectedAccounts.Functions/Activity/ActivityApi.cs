using System.ComponentModel.DataAnnotations;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Activity;

public sealed class ActivityOptions
{
    public const string SectionName = "Activity";

    /// <summary>How long entries are kept; the daily <c>ActivitySweep</c> deletes older ones.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(400);
}

[OptionsValidator]
public sealed partial class ActivityOptionsValidator : IValidateOptions<ActivityOptions>;

/// <summary>The activity trails: an account's, and a connection's own history that both of its sides read.</summary>
public static class ActivityApi
{
    public const string Kind = "activity";

    public static RouteGroupBuilder MapActivityApi(this RouteGroupBuilder api)
    {
        api.MapGet("/accounts/{accountId}/activity", ForAccount).WithTags("Activity");
        api.MapGet("/connections/{connectionId}/activity", ForConnection).WithTags("Activity");
        return api;
    }

    /// <summary>The account's trail, newest first: for its own members who manage it (orgAdmin, accountManager).</summary>
    public static async Task<Results<Ok<Page<ActivityEntry>>, ProblemHttpResult>> ForAccount(
        string accountId, string? since, int? pageSize, string? continuationToken, HttpContext http, AccessResolver access, DataStore store, CancellationToken ct)
    {
        if (ListQuery(since, pageSize, continuationToken, out var size, out var from) is { } problem)
        {
            return problem;
        }

        if ((await access.AuthorizeMemberAsync(http, accountId, PermissionAction.MembersManage, ct)).Denied(out var denied, out _))
        {
            return denied;
        }

        return await PageAsync(store, accountId, Keys.ActivityPrefix, from, size, continuationToken, ct);
    }

    /// <summary>A connection's history, for the managers of either side who may act on it (<see cref="ConnectionOperation.ReadActivity"/>).</summary>
    public static async Task<Results<Ok<Page<ActivityEntry>>, ProblemHttpResult>> ForConnection(
        string connectionId, string? since, int? pageSize, string? continuationToken, HttpContext http, ConnectionAuthorization connections, DataStore store, CancellationToken ct)
    {
        if (ListQuery(since, pageSize, continuationToken, out var size, out var from) is { } problem)
        {
            return problem;
        }

        if ((await connections.AuthorizeAsync(http, connectionId, ConnectionOperation.ReadActivity, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        return await PageAsync(store, found.Value.ClientAccountId, Keys.ConnectionActivityPrefix(connectionId), from, size, continuationToken, ct);
    }

    /// <summary>The paging of every list, and <c>since</c>: an instant with its offset.</summary>
    private static ProblemHttpResult? ListQuery(string? since, int? pageSize, string? continuationToken, out int size, out DateTimeOffset? from)
    {
        var validation = Paging.ListQuery(pageSize, continuationToken, out size);
        from = ConnectionWire.Instant("since", since, validation);
        return validation.Problem;
    }

    /// <summary>Keys count down with time, so the range from the prefix up to <paramref name="since"/>'s key is newest first.</summary>
    private static async Task<Results<Ok<Page<ActivityEntry>>, ProblemHttpResult>> PageAsync(
        DataStore store, string partitionKey, string prefix, DateTimeOffset? since, int size, string? continuationToken, CancellationToken ct)
    {
        var before = since is { } at ? Keys.ActivityBefore(prefix, at) : null;
        var page = await store.Data.QueryFilteredPageAsync(partitionKey, prefix, size, continuationToken,
            row => Documents.FromEntity(row, AppJsonContext.Default.ActivityEntry), ct, before);
        return page is null ? Paging.InvalidToken() : TypedResults.Ok(page);
    }
}
