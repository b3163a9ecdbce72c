using ConnectedAccounts.Domain.Invitations;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Invitations;

/// <param name="Expired">Pending invitations marked expired (and their inviters e-mailed) by this run.</param>
/// <param name="Deleted">Ended invitations whose rows were deleted after the retention period.</param>
/// <param name="Dangling">Index rows removed because their invitation was never written.</param>
public sealed record CleanupResult(int Expired, int Deleted, int Dangling);

/// <summary>
/// The scheduled job: marks expired invitations and tells their inviters, and deletes invitations a retention
/// period after they ended. It reads the expiry index day by day from a cursor, never scanning partitions.
/// Every change is ETag-guarded, so a second run, or two instances at once, change nothing twice.
/// </summary>
public sealed class InvitationCleanup(DataStore store, InvitationStore invitations, IOptions<EmailOptions> email, ILogger<InvitationCleanup> logger)
   
{
    public async Task<CleanupResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = store.Time.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var cursor = await store.Data.GetEntityIfExistsAsync(InvitationKeys.ExpiryCursorPartition, InvitationKeys.ExpiryCursorRow, cancellationToken);
        if (cursor?.GetString("Day") is not { } first || InvitationKeys.DayOf(first) is not { } day)
        {
            return new(0, 0, 0);
        }

        int expired = 0, deleted = 0, dangling = 0;
        DateTimeOffset? firstNonEmpty = null;
        for (; day <= today; day = day.AddDays(1))
        {
            var partition = InvitationKeys.ExpiryDay(day);
            var remaining = 0;
            await foreach (var row in store.Data.QueryAllAsync(new TableQuery { PartitionKey = partition }, cancellationToken))
            {
                var outcome = await ProcessAsync(row, day < today, now, cancellationToken);
                expired += outcome.Expired;
                deleted += outcome.Deleted;
                dangling += outcome.Dangling;
                remaining += outcome.Deleted + outcome.Dangling == 0 ? 1 : 0;
            }

            if (remaining > 0)
            {
                firstNonEmpty ??= day;
            }
        }

        // New invitations always expire today or later, so days before today that are empty stay empty.
        var next = InvitationKeys.ExpiryDay(firstNonEmpty ?? today);
        if (string.CompareOrdinal(next, first) > 0)
        {
            await store.Data.UpdateEntityAsync(
                new TableEntity(InvitationKeys.ExpiryCursorPartition, InvitationKeys.ExpiryCursorRow) { ["Day"] = next }, cursor.ETag, TableUpdateMode.Replace, cancellationToken);
        }

        if (expired + deleted + dangling > 0)
        {
            logger.LogInformation("Invitation cleanup: {Expired} expired, {Deleted} deleted, {Dangling} dangling index rows removed.", expired, deleted, dangling);
        }

        return new(expired, deleted, dangling);
    }

    private async Task<CleanupResult> ProcessAsync(TableEntity row, bool dayIsPast, DateTimeOffset now, CancellationToken ct)
    {
        var hash = row.GetString("Hash") ?? "";
        var accountId = row.GetString("AccountId") ?? "";
        var address = row.GetString("Email") ?? "";
        var found = await invitations.GetAsync(hash, ct);
        if (found is null)
        {
            // Indexes are written before the canonical row; once the expiry day has passed, a missing row
            // means its write never happened, not that it is about to.
            if (!dayIsPast)
            {
                return new(0, 0, 0);
            }

            await invitations.DeleteIndexesAsync(row.RowKey, hash, accountId, address, ct);
            await store.Data.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct);
            return new(0, 0, 1);
        }

        var invitation = found.Value;
        var etag = found.ETag;
        var expired = 0;
        if (invitation.State == InvitationState.Pending && invitation.Expire(now).Succeeded)
        {
            invitation.MarkExpiryNotified();
            var result = await invitations.Batch(invitation, etag)
                .Outbox(new OutboxEntry(EmailQueue.Name, EmailQueue.ToMessageText(InvitationEmails.Expired(invitation, email.Value))))
                .RecordOn(invitation.FromAccountId, InvitationActivity.Of(now, ActivityActor.System, "invitation.expired", invitation))
                .CommitAsync(ct);
            if (!result.Succeeded)
            {
                // Another instance (or an accepter) changed it first; the next run sees what they did.
                return new(0, 0, 0);
            }

            etag = result.ETags[0];
            expired = 1;
        }

        if (!invitation.IsPastRetention(now, invitations.Options.Retention))
        {
            return new(expired, 0, 0);
        }

        var deleted = await store.Data.DeleteEntityAsync(InvitationKeys.Canonical(hash), InvitationKeys.CanonicalRow, etag, ct);
        if (!deleted.Succeeded)
        {
            return new(expired, 0, 0);
        }

        await invitations.DeleteIndexesAsync(invitation.Id, hash, invitation.FromAccountId, invitation.Email, ct);
        await store.Data.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct);
        return new(expired, 1, 0);
    }
}
