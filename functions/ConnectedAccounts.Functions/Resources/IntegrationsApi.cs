using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Resources;

public static class IntegrationsApi
{
    public const int MaxMappedClients = 100;

    public static RouteGroupBuilder MapIntegrationsApi(this RouteGroupBuilder api)
    {
        var integrations = api.MapGroup("/accounts/{accountId}/integrations").WithTags("Integrations");
        integrations.MapGet("/", ListIntegrations);
        integrations.MapPost("/", CreateIntegration);
        integrations.MapGet("/{integrationId}", GetIntegration);
        return api;
    }

    public static async Task<Results<Ok<Page<IntegrationResponse>>, ProblemHttpResult>> ListIntegrations(
        string accountId, int? pageSize, string? continuationToken, HttpContext http, AccessResolver resolver, ResourceStore<Integration> integrations, CancellationToken ct)
    {
        if (Paging.ListQuery(pageSize, continuationToken, out var size).Problem is { } problem)
        {
            return problem;
        }

        if ((await resolver.AuthorizeReadIntegrationsAsync(http, accountId, ct)).Denied(out var denied, out _))
        {
            return denied;
        }

        if (await integrations.TryListAsync(accountId, size, continuationToken, ct) is not var (page, token))
        {
            return Paging.InvalidToken();
        }

        return TypedResults.Ok(new Page<IntegrationResponse>(page.Select(s => IntegrationResponse.From(s.Value)).ToList(), token));
    }

    /// <summary>
    /// Sets up an integration on the account and maps it to client accounts. Each mapped client must be the account
    /// itself or a client this account is actively connected to, where the caller may also create and map.
    /// </summary>
    public static async Task<Results<Created<IntegrationResponse>, ProblemHttpResult>> CreateIntegration(
        string accountId, CreateIntegrationRequest request, HttpContext http, AccessResolver resolver, ResourceStore<Integration> integrations, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var name = validation.Required("name", request.Name);
        var mapped = (request.MappedClientAccountIds ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (mapped.Count > MaxMappedClients)
        {
            validation.Add("mappedClientAccountIds", $"At most {MaxMappedClients} client accounts.");
        }
        else if (mapped.Any(id => !Ids.IsWellFormed(id)))
        {
            validation.Add("mappedClientAccountIds", "Every entry must be an account id.");
        }

        if (validation.Problem is { } problem)
        {
            return problem;
        }

        if ((await resolver.AuthorizeAsync(http, accountId, PermissionAction.IntegrationsCreateAndMap, ct)).Denied(out var denied, out var access))
        {
            return denied;
        }

        foreach (var clientId in mapped.Where(id => id != accountId))
        {
            var client = await resolver.ResolveAsync(clientId, http.User().Id, ct);
            if (client is null || !client.Can(PermissionAction.IntegrationsCreateAndMap) || !client.Value.Grants.Any(g => g.AgencyAccountId == accountId))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, "integration-mapping-invalid", "Invalid request",
                    $"'{clientId}' is not a client account this account is connected to where you may map integrations.");
            }
        }

        var integration = new Integration(Ids.New("int"), access.Value.Id, name!, mapped, [], http.User().Id, time.GetUtcNow());
        var created = ActivityEntry.Of(integration.CreatedAt, ActivityActor.For(http.User(), access), "integration.created",
            new ActivitySubject("integration", integration.Id, integration.Name), details: new Dictionary<string, string> { ["mappedClientAccountIds"] = string.Join(",", mapped) });
        var etag = await integrations.PutAsync(accountId, integration.Id, integration, null, created, ct);
        if (etag is null)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, etag.Value);
        return TypedResults.Created($"/api/accounts/{accountId}/integrations/{integration.Id}", IntegrationResponse.From(integration));
    }

    public static async Task<Results<Ok<IntegrationResponse>, ProblemHttpResult>> GetIntegration(
        string accountId, string integrationId, HttpContext http, AccessResolver resolver, ResourceStore<Integration> integrations, CancellationToken ct)
    {
        if ((await resolver.AuthorizeReadIntegrationsAsync(http, accountId, ct)).Denied(out var denied, out _))
        {
            return denied;
        }

        if (await integrations.GetAsync(accountId, integrationId, ct) is not { } found)
        {
            return Problems.NotFound("integration");
        }

        ETags.Set(http, found.ETag);
        return TypedResults.Ok(IntegrationResponse.From(found.Value));
    }
}
