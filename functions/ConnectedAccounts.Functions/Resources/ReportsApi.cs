using System.Globalization;
using System.Text;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Resources;

public static class ReportsApi
{
    public const int MaxConfigurationLength = 16_000;

    public const string Kind = "report";

    /// <summary>
    /// Archiving is a column of its own, so archiving thousands of reports is a merge of two properties per row
    /// in batches of 100, with no document read or rewritten.
    /// </summary>
    public static readonly ResourceColumns<Report> ArchiveColumns = new(
        (report, entity) =>
        {
            entity["Archived"] = report.Archived;
            entity["ArchivedAt"] = report.ArchivedAt;
        },
        (report, entity) => report with { Archived = entity.GetBoolean("Archived") ?? false, ArchivedAt = entity.GetDateTimeOffset("ArchivedAt") });

    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder api)
    {
        var reports = api.MapGroup("/accounts/{accountId}/reports").WithTags("Reports");
        reports.MapGet("/", ListReports);
        reports.MapPost("/", CreateReport);
        reports.MapGet("/{reportId}", GetReport);
        reports.MapPatch("/{reportId}", UpdateReport);
        reports.MapDelete("/{reportId}", DeleteReport);
        reports.MapGet("/{reportId}/export", ExportReport);
        reports.MapPut("/{reportId}/sharing", SetSharing);
        return api;
    }

    /// <summary>
    /// On a client account an agency created, the client's own users see only the reports the agency shared
    /// with them; agency users see every report.
    /// </summary>
    private static bool Visible(AccountAccess access, Report report) =>
        !(access.IsMember && access.Value.CreatedByAccountId is not null) || report.SharedWithClient;

    /// <summary>
    /// A report as the caller sees it: on an archived account every report is archived from the moment the account
    /// was (the disconnect that archived it), even before the worker has marked its row.
    /// </summary>
    private static Report Presented(AccountAccess access, Report report) =>
        access.Value.ArchivedAt is { } at ? report with { Archived = true, ArchivedAt = at } : report;

    public static async Task<Results<ResourcePage<Report>, ProblemHttpResult>> ListReports(
        string accountId, bool? includeArchived, int? pageSize, string? continuationToken,
        HttpContext http, AccessResolver resolver, ResourceStore<Report> reports, CancellationToken ct)
    {
        if (Paging.ListQuery(pageSize, continuationToken, out var size).Problem is { } problem)
        {
            return problem;
        }

        if ((await resolver.AuthorizeAsync(http, accountId, PermissionAction.ReportsRead, ct)).Denied(out var denied, out var access))
        {
            return denied;
        }

        if (await reports.TryListAsync(accountId, size, continuationToken, ct) is not var (items, token))
        {
            return Paging.InvalidToken();
        }

        var visible = items.Select(s => Presented(access, s.Value)).Where(r => (includeArchived == true || !r.Archived) && Visible(access, r)).ToList();
        return ResourcePage.Ok(visible, token);
    }

    public static async Task<Results<Created<Report>, ProblemHttpResult>> CreateReport(
        string accountId, CreateReportRequest request, HttpContext http, AccessResolver resolver, ResourceStore<Report> reports, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var name = validation.Required("name", request.Name);
        var configuration = validation.Optional("configuration", request.Configuration, MaxConfigurationLength);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        if ((await resolver.AuthorizeAsync(http, accountId, PermissionAction.ReportsCreate, ct)).Denied(out var denied, out var access))
        {
            return denied;
        }

        var now = time.GetUtcNow();
        var report = new Report(Ids.New("rep"), accountId, name!, configuration, SharedWithClient: false, Archived: false, null, http.User().Id, now, now);
        var etag = await reports.PutAsync(accountId, report.Id, report, null, Entry(http, access, "report.created", report, now), ct);
        if (etag is null)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, etag.Value);
        return TypedResults.Created($"/api/accounts/{access.Value.Id}/reports/{report.Id}", report);
    }

    public static async Task<Results<Ok<Report>, ProblemHttpResult>> GetReport(
        string accountId, string reportId, HttpContext http, AccessResolver resolver, ResourceStore<Report> reports, CancellationToken ct)
    {
        var (found, _, problem) = await LoadAsync(accountId, reportId, PermissionAction.ReportsRead, http, resolver, reports, ct);
        if (problem is not null)
        {
            return problem;
        }

        ETags.Set(http, found!.ETag);
        return TypedResults.Ok(found.Value);
    }

    public static async Task<Results<Ok<Report>, ProblemHttpResult>> UpdateReport(
        string accountId, string reportId, UpdateReportRequest request, HttpContext http, AccessResolver resolver, ResourceStore<Report> reports, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var name = request.Name is null ? null : validation.Required("name", request.Name);
        var configuration = validation.Optional("configuration", request.Configuration, MaxConfigurationLength);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        return await ChangeAsync(accountId, reportId, PermissionAction.ReportsConfigure, "report.configured", http, resolver, reports, time, r =>
            r with { Name = name ?? r.Name, Configuration = configuration ?? r.Configuration, UpdatedAt = time.GetUtcNow() }, ct);
    }

    public static async Task<Results<Ok<Report>, ProblemHttpResult>> SetSharing(
        string accountId, string reportId, SharingRequest request, HttpContext http, AccessResolver resolver, ResourceStore<Report> reports, TimeProvider time, CancellationToken ct)
    {
        if (request.SharedWithClient is not { } shared)
        {
            var validation = new Validation();
            validation.Add("sharedWithClient", "This field is required: true or false.");
            return validation.Problem!;
        }

        if (await resolver.ResolveAsync(accountId, http.User().Id, ct) is { IsMember: true, Value.CreatedByAccountId: not null })
        {
            // Only the agency decides what its client sees.
            return Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "Only the agency that created this account shares its reports.");
        }

        return await ChangeAsync(accountId, reportId, PermissionAction.ReportsConfigure, "report.shared", http, resolver, reports, time, r =>
            r with { SharedWithClient = shared, UpdatedAt = time.GetUtcNow() }, ct);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteReport(
        string accountId, string reportId, HttpContext http, AccessResolver resolver, ResourceStore<Report> reports, TimeProvider time, CancellationToken ct)
    {
        var (found, access, problem) = await LoadAsync(accountId, reportId, PermissionAction.ReportsConfigure, http, resolver, reports, ct);
        if (problem is not null)
        {
            return problem;
        }

        if (found!.Value.Archived)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "report-archived", "Conflict", "An archived report cannot change.");
        }

        if (!ETags.IfMatchHolds(http, found.ETag))
        {
            return Problems.PreconditionFailed();
        }

        return await reports.DeleteAsync(accountId, reportId, found.ETag, Entry(http, access!, "report.deleted", found.Value, time.GetUtcNow()), ct)
            ? TypedResults.NoContent()
            : Problems.ConcurrentUpdate();
    }

    /// <summary>The report as CSV; the export is recorded in the account's trail (data leaving the product is worth knowing).</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportReport(
        string accountId, string reportId, HttpContext http, AccessResolver resolver, ResourceStore<Report> reports, TimeProvider time, CancellationToken ct)
    {
        var (found, access, problem) = await LoadAsync(accountId, reportId, PermissionAction.ReportsExport, http, resolver, reports, ct);
        if (problem is not null)
        {
            return problem;
        }

        var r = found!.Value;
        await reports.RecordAsync(accountId, Entry(http, access!, "report.exported", r, time.GetUtcNow()), ct);
        var csv = new StringBuilder("id,name,configuration,archived,createdAt,updatedAt\r\n");
        csv.AppendJoin(',', [Cell(r.Id), Cell(r.Name), Cell(r.Configuration ?? ""), r.Archived ? "true" : "false",
            r.CreatedAt.ToString("O", CultureInfo.InvariantCulture), r.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)]).Append("\r\n");
        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"{r.Id}.csv");
    }

    /// <summary>RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula.</summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static ActivityEntry Entry(HttpContext http, AccountAccess access, string action, Report report, DateTimeOffset at, Dictionary<string, string>? details = null) =>
        ActivityEntry.Of(at, ActivityActor.For(http.User(), access), action, new ActivitySubject("report", report.Id, report.Name), details: details);

    private static async Task<(Stored<Report>? Found, AccountAccess? Access, ProblemHttpResult? Problem)> LoadAsync(
        string accountId, string reportId, PermissionAction action, HttpContext http, AccessResolver resolver, ResourceStore<Report> reports, CancellationToken ct)
    {
        if ((await resolver.AuthorizeAsync(http, accountId, action, ct)).Denied(out var denied, out var access))
        {
            return (null, null, denied);
        }

        var found = await reports.GetAsync(accountId, reportId, ct);
        return found is null || !Visible(access, found.Value) ? (null, null, Problems.NotFound("report")) : (found with { Value = Presented(access, found.Value) }, access, null);
    }

    private static async Task<Results<Ok<Report>, ProblemHttpResult>> ChangeAsync(
        string accountId, string reportId, PermissionAction action, string activity, HttpContext http, AccessResolver resolver, ResourceStore<Report> reports,
        TimeProvider time, Func<Report, Report> change, CancellationToken ct)
    {
        var (found, access, problem) = await LoadAsync(accountId, reportId, action, http, resolver, reports, ct);
        if (problem is not null)
        {
            return problem;
        }

        if (found!.Value.Archived)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "report-archived", "Conflict", "An archived report cannot change.");
        }

        if (!ETags.IfMatchHolds(http, found.ETag))
        {
            return Problems.PreconditionFailed();
        }

        var changed = change(found.Value);
        var details = activity == "report.shared" ? new Dictionary<string, string> { ["sharedWithClient"] = changed.SharedWithClient ? "true" : "false" } : null;
        var etag = await reports.PutAsync(accountId, reportId, changed, found.ETag, Entry(http, access!, activity, changed, time.GetUtcNow(), details), ct);
        if (etag is null)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, etag.Value);
        return TypedResults.Ok(changed);
    }
}
