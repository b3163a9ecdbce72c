using System.Text.Json.Serialization;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Resources;

namespace ConnectedAccounts.Functions.Resources;

/// <summary>A report of an account. Archived reports stay readable and exportable; nothing else changes them.</summary>
public sealed record Report(
    string Id,
    string AccountId,
    string Name,
    string? Configuration,
    bool SharedWithClient,
    bool Archived,
    DateTimeOffset? ArchivedAt,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record Item(
    string Id,
    string AccountId,
    string Name,
    string? Data,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// A data integration set up on an account and feeding the client accounts it maps. It is paused per client:
/// <see cref="PausedFor"/> lists the clients it no longer feeds; it keeps running for the others.
/// </summary>
public sealed record Integration(
    string Id,
    string AccountId,
    string Name,
    IReadOnlyList<string> MappedClientAccountIds,
    IReadOnlyList<string> PausedFor,
    string CreatedBy,
    DateTimeOffset CreatedAt)
{
    [JsonIgnore]
    public bool IsPaused => PausedFor.Count > 0 && MappedClientAccountIds.All(PausedFor.Contains);
}

public sealed record CreateReportRequest(string? Name, string? Configuration);

public sealed record UpdateReportRequest(string? Name, string? Configuration);

public sealed record SharingRequest(bool? SharedWithClient);

public sealed record CreateItemRequest(string? Name, string? Data);

public sealed record UpdateItemRequest(string? Name, string? Data);

public sealed record CreateIntegrationRequest(string? Name, IReadOnlyList<string>? MappedClientAccountIds);

public sealed record IntegrationResponse(
    string Id,
    string AccountId,
    string Name,
    IReadOnlyList<string> MappedClientAccountIds,
    string State,
    IReadOnlyList<string> PausedFor,
    DateTimeOffset CreatedAt)
{
    public static IntegrationResponse From(Integration i) =>
        new(i.Id, i.AccountId, i.Name, i.MappedClientAccountIds, i.IsPaused ? "paused" : "active", i.PausedFor, i.CreatedAt);
}
