using System.ComponentModel.DataAnnotations;
using System.Globalization;
using ConnectedAccounts.Domain.Invitations;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Invitations;

/// <summary>Section <c>Invitations</c>.</summary>
public sealed class InvitationOptions
{
    public const string SectionName = "Invitations";

    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long an ended invitation's row is kept (so its link answers "used" rather than nothing) before the cleanup deletes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    [Range(1, 100_000)]
    public int MaxPerAccountPerDay { get; set; } = 50;

    [Range(1, 1_000)]
    public int MaxPerRecipientPerDay { get; set; } = 5;
}

/// <summary>Checks the data annotations of <see cref="InvitationOptions"/> with generated code instead of reflection at start-up.</summary>
[OptionsValidator]
public sealed partial class InvitationOptionsValidator : IValidateOptions<InvitationOptions>;

/// <summary>
/// Where invitations live in the data table. The canonical row is alone in a partition named by the token's
/// hash, so it and the outbox rows of its e-mails commit together (the relay reads the data table, which is why
/// invitations are not a table of their own). Every other row is an index pointing at a hash, written before the
/// canonical row and checked against it on every read, so an index can be stale or dangling but never decisive.
/// </summary>
public static class InvitationKeys
{
    public const string CanonicalRow = "invitation";

    /// <summary>Per-account index rows (in the inviting account's partition): resend, cancel, listing.</summary>
    public const string AccountIndexPrefix = "invitation|";

    public const string ExpiryCursorPartition = "invexp|cursor";
    public const string ExpiryCursorRow = "cursor";

    public static string Canonical(string tokenHash) => "invitation|" + tokenHash;

    public static string AccountIndex(string invitationId) => AccountIndexPrefix + invitationId;

    /// <summary>Per-recipient index partition for <c>GET /api/me/invitations</c>; the address only as its hash.</summary>
    public static string Inbox(string email) => "inbox|" + InvitationEmail.Key(email);

    /// <summary>The expiry index: one partition per UTC day, so the cleanup reads days, not every partition.</summary>
    public static string ExpiryDay(DateTimeOffset at) => "invexp|" + at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static DateTimeOffset? DayOf(string partition) =>
        DateTime.TryParseExact(partition.AsSpan("invexp|".Length), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day)
            ? new DateTimeOffset(day, TimeSpan.Zero)
            : null;

    /// <summary>Written with the effect of an acceptance in the target partition: a second apply fails on it.</summary>
    public static string AppliedMarker(string invitationId) => "invapplied|" + invitationId;

    public static string AccountCounter(string accountId) => "ratelimit|account|" + accountId;

    public static string RecipientCounter(string email) => "ratelimit|recipient|" + InvitationEmail.Key(email);

    public const string CounterRow = "counter";
}

/// <summary>The invitation rows: canonical reads and writes, the indexes, and the storage-backed send limits.</summary>
public sealed class InvitationStore(DataStore store, IOptions<InvitationOptions> options)
{
    private ITableClient Data => store.Data;

    public InvitationOptions Options => options.Value;

    public TimeProvider Time => store.Time;

    public async Task<Stored<Invitation>?> GetAsync(string tokenHash, CancellationToken ct)
    {
        var entity = await Data.GetEntityIfExistsAsync(InvitationKeys.Canonical(tokenHash), InvitationKeys.CanonicalRow, ct);
        return entity is null ? null : new(Invitation.Restore(Documents.FromEntity(entity, AppJsonContext.Default.InvitationSnapshot)), entity.ETag);
    }

    public static TableEntity Entity(Invitation invitation) =>
        Documents.ToEntity(InvitationKeys.Canonical(invitation.TokenHash), InvitationKeys.CanonicalRow, "invitation", invitation.ToSnapshot(), AppJsonContext.Default.InvitationSnapshot);

    /// <summary>A batch on the invitation's own partition, holding its row (added when <paramref name="etag"/> is null).</summary>
    public PartitionBatch Batch(Invitation invitation, ETag? etag) =>
        store.Batch(InvitationKeys.Canonical(invitation.TokenHash)).Put(Entity(invitation), etag);

    /// <summary>
    /// The index rows of a new invitation. Written before its canonical row: an index whose canonical row never
    /// arrived is ignored by every read and removed by the cleanup, while the reverse would hide a live invitation.
    /// </summary>
    public async Task WriteIndexesAsync(Invitation invitation, CancellationToken ct)
    {
        var hash = invitation.TokenHash;
        await Data.UpsertEntityAsync(new TableEntity(invitation.FromAccountId, InvitationKeys.AccountIndex(invitation.Id)) { ["Hash"] = hash }, TableUpdateMode.Replace, ct);
        await Data.UpsertEntityAsync(new TableEntity(InvitationKeys.Inbox(invitation.Email), invitation.Id) { ["Hash"] = hash }, TableUpdateMode.Replace, ct);
        await Data.UpsertEntityAsync(new TableEntity(InvitationKeys.ExpiryDay(invitation.ExpiresAt), invitation.Id)
        {
            ["Hash"] = hash,
            ["AccountId"] = invitation.FromAccountId,
            ["Email"] = invitation.Email,
        }, TableUpdateMode.Replace, ct);

        // The cleanup starts from this cursor; it moves only past days before today, and a new invitation
        // expires today or later, so the first one to find it missing sets it.
        if (await Data.GetEntityIfExistsAsync(InvitationKeys.ExpiryCursorPartition, InvitationKeys.ExpiryCursorRow, ct) is null)
        {
            await Data.AddEntityAsync(new TableEntity(InvitationKeys.ExpiryCursorPartition, InvitationKeys.ExpiryCursorRow) { ["Day"] = InvitationKeys.ExpiryDay(invitation.ExpiresAt) }, ct);
        }
    }

    /// <summary>Removes the index rows of a deleted invitation, unless a successor already took them over.</summary>
    public async Task DeleteIndexesAsync(string invitationId, string tokenHash, string accountId, string email, CancellationToken ct)
    {
        foreach (var (partition, row) in new[] { (accountId, InvitationKeys.AccountIndex(invitationId)), (InvitationKeys.Inbox(email), invitationId) })
        {
            var index = await Data.GetEntityIfExistsAsync(partition, row, ct);
            if (index?.GetString("Hash") == tokenHash)
            {
                await Data.DeleteEntityAsync(partition, row, index.ETag, ct);
            }
        }
    }

    /// <summary>An invitation of this account by id, read through the index and checked against the canonical row.</summary>
    public async Task<Stored<Invitation>?> FindForAccountAsync(string accountId, string invitationId, CancellationToken ct)
    {
        var index = await Data.GetEntityIfExistsAsync(accountId, InvitationKeys.AccountIndex(invitationId), ct);
        return index?.GetString("Hash") is { } hash && await GetAsync(hash, ct) is { } found &&
               found.Value.Id == invitationId && found.Value.FromAccountId == accountId
            ? found
            : null;
    }

    /// <summary>An invitation addressed to <paramref name="email"/> by id, through the inbox index.</summary>
    public async Task<Stored<Invitation>?> FindForRecipientAsync(string email, string invitationId, CancellationToken ct)
    {
        var index = await Data.GetEntityIfExistsAsync(InvitationKeys.Inbox(email), invitationId, ct);
        return index?.GetString("Hash") is { } hash && await GetAsync(hash, ct) is { } found &&
               found.Value.Id == invitationId && found.Value.IsAddressedTo(email)
            ? found
            : null;
    }

    public async Task<List<Stored<Invitation>>> ListAsync(string partition, string? prefix, CancellationToken ct)
    {
        var found = new List<Stored<Invitation>>();
        await foreach (var index in Data.QueryAllAsync(new TableQuery { PartitionKey = partition, RowKeyPrefix = prefix }, ct))
        {
            if (index.GetString("Hash") is { } hash && await GetAsync(hash, ct) is { } invitation)
            {
                found.Add(invitation);
            }
        }

        return found;
    }

    /// <summary>The invitations the account sent that can still be answered at <paramref name="now"/>.</summary>
    public async Task<IEnumerable<Invitation>> OpenForAccountAsync(string accountId, DateTimeOffset now, CancellationToken ct) =>
        (await ListAsync(accountId, InvitationKeys.AccountIndexPrefix, ct))
            .Select(s => s.Value)
            .Where(i => i.FromAccountId == accountId && i.IsOpen(now));

    /// <summary>
    /// Counts one send against the inviting account and the recipient address, in storage so that every instance
    /// agrees. A refusal leaves both counters as they were; the account is counted first, so a send the recipient
    /// limit refuses still uses one of the account's (the conservative error).
    /// </summary>
    public async Task<TimeSpan?> TryCountSendAsync(string accountId, string email, CancellationToken ct)
    {
        var o = Options;
        return await TryCountAsync(InvitationKeys.AccountCounter(accountId), o.MaxPerAccountPerDay, ct)
            ?? await TryCountAsync(InvitationKeys.RecipientCounter(email), o.MaxPerRecipientPerDay, ct);
    }

    private async Task<TimeSpan?> TryCountAsync(string partition, int limit, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = await Data.GetEntityIfExistsAsync(partition, InvitationKeys.CounterRow, ct);
            var times = (row?.GetString("Times") ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(t => long.Parse(t, CultureInfo.InvariantCulture))
                .ToList();
            var (next, retryAfter) = RollingLimit.TryAdd(times, Time.GetUtcNow(), TimeSpan.FromDays(1), limit);
            if (next is null)
            {
                return retryAfter;
            }

            var entity = new TableEntity(partition, InvitationKeys.CounterRow) { ["Times"] = string.Join(',', next.Select(t => t.ToString(CultureInfo.InvariantCulture))) };
            var written = row is null ? await Data.AddEntityAsync(entity, ct) : await Data.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Replace, ct);
            if (written.Succeeded)
            {
                return null;
            }

            if (attempt >= 20)
            {
                throw new InvalidOperationException($"The counter {partition} kept changing under us.");
            }
        }
    }
}
