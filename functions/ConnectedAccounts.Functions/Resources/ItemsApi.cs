using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Resources;

public static class ItemsApi
{
    public const int MaxDataLength = 16_000;

    public static RouteGroupBuilder MapItemsApi(this RouteGroupBuilder api)
    {
        var items = api.MapGroup("/accounts/{accountId}/items").WithTags("Items");
        items.MapGet("/", ListItems);
        items.MapPost("/", CreateItem);
        items.MapGet("/{itemId}", GetItem);
        items.MapPatch("/{itemId}", UpdateItem);
        return api;
    }

    public static async Task<Results<ResourcePage<Item>, ProblemHttpResult>> ListItems(
        string accountId, int? pageSize, string? continuationToken, HttpContext http, AccessResolver resolver, ResourceStore<Item> items, CancellationToken ct)
    {
        if (Paging.ListQuery(pageSize, continuationToken, out var size).Problem is { } problem)
        {
            return problem;
        }

        if ((await resolver.AuthorizeAsync(http, accountId, PermissionAction.ItemsReadWrite, ct)).Denied(out var denied, out _))
        {
            return denied;
        }

        if (await items.TryListAsync(accountId, size, continuationToken, ct) is not var (page, token))
        {
            return Paging.InvalidToken();
        }

        return ResourcePage.Ok(page.Select(s => s.Value).ToList(), token);
    }

    public static async Task<Results<Created<Item>, ProblemHttpResult>> CreateItem(
        string accountId, CreateItemRequest request, HttpContext http, AccessResolver resolver, ResourceStore<Item> items, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var name = validation.Required("name", request.Name);
        var data = validation.Optional("data", request.Data, MaxDataLength);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        if ((await resolver.AuthorizeAsync(http, accountId, PermissionAction.ItemsCreate, ct)).Denied(out var denied, out var access))
        {
            return denied;
        }

        var now = time.GetUtcNow();
        var item = new Item(Ids.New("itm"), accountId, name!, data, http.User().Id, now, now);
        var etag = await items.PutAsync(accountId, item.Id, item, null, Entry(http, access, "item.created", item, now), ct);
        if (etag is null)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, etag.Value);
        return TypedResults.Created($"/api/accounts/{accountId}/items/{item.Id}", item);
    }

    public static async Task<Results<Ok<Item>, ProblemHttpResult>> GetItem(
        string accountId, string itemId, HttpContext http, AccessResolver resolver, ResourceStore<Item> items, CancellationToken ct)
    {
        if ((await resolver.AuthorizeAsync(http, accountId, PermissionAction.ItemsReadWrite, ct)).Denied(out var denied, out var access))
        {
            return denied;
        }

        if (await items.GetAsync(accountId, itemId, ct) is not { } found)
        {
            return Problems.NotFound("item");
        }

        ETags.Set(http, found.ETag);
        return TypedResults.Ok(found.Value);
    }

    public static async Task<Results<Ok<Item>, ProblemHttpResult>> UpdateItem(
        string accountId, string itemId, UpdateItemRequest request, HttpContext http, AccessResolver resolver, ResourceStore<Item> items, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var name = request.Name is null ? null : validation.Required("name", request.Name);
        var data = validation.Optional("data", request.Data, MaxDataLength);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        if ((await resolver.AuthorizeAsync(http, accountId, PermissionAction.ItemsReadWrite, ct)).Denied(out var denied, out var access))
        {
            return denied;
        }

        if (await items.GetAsync(accountId, itemId, ct) is not { } found)
        {
            return Problems.NotFound("item");
        }

        if (!ETags.IfMatchHolds(http, found.ETag))
        {
            return Problems.PreconditionFailed();
        }

        var changed = found.Value with { Name = name ?? found.Value.Name, Data = data ?? found.Value.Data, UpdatedAt = time.GetUtcNow() };
        var etag = await items.PutAsync(accountId, itemId, changed, found.ETag, Entry(http, access, "item.updated", changed, changed.UpdatedAt), ct);
        if (etag is null)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, etag.Value);
        return TypedResults.Ok(changed);
    }

    private static ActivityEntry Entry(HttpContext http, AccountAccess access, string action, Item item, DateTimeOffset at) =>
        ActivityEntry.Of(at, ActivityActor.For(http.User(), access), action, new ActivitySubject("item", item.Id, item.Name));
}
