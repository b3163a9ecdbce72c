namespace ConnectedAccounts.Functions.Persistence;

/// <summary>
/// The layout of the data table. Each account is a partition holding its row, the canonical rows of the
/// connections where it is the client, index copies of those where it is the agency, its resources and its
/// outbox, so one batch can change a state and record its side effects together.
/// </summary>
public static class Keys
{
    public const string DataTable = "data";
    public const string UsersTable = "users";
    public const string IdempotencyTable = "idempotency";
    public const string OutboxMarkersTable = "outboxmarkers";

    /// <summary>
    /// In the data table, one row per e-mail handed to the provider, keyed by <c>EmailQueue.KeyHash</c> of its
    /// idempotency key: a redelivered queue message finds it and is not sent again.
    /// </summary>
    public const string SentEmailsPartition = "sent-emails";

    /// <summary>
    /// The time-keyed index of those rows, one per record (<see cref="TimeOrdered"/>: the hand-over, then the record's
    /// row key): the <c>EmailRecordSweep</c> reads its expired range.
    /// </summary>
    public const string SentEmailsDuePartition = "sent-emails-due";

    public const string AccountRow = "account";
    public const string ConnectionPrefix = "conn|";
    public const string OutboxPrefix = "outbox|";

    /// <summary>The canonical connection row, in the client account's partition.</summary>
    public static string ClientConnection(string connectionId) => "conn|c|" + connectionId;

    /// <summary>The agency's copy, in the agency account's partition; an index, never used to allow anything.</summary>
    public static string AgencyConnection(string connectionId) => "conn|a|" + connectionId;

    /// <summary>
    /// In the client account's partition, one per agency with a pending, active or disconnecting connection: its
    /// insert fails when the pair already has one, so two open connections between the same accounts cannot exist.
    /// </summary>
    public static string ConnectionPair(string agencyAccountId) => "pair|" + agencyAccountId;

    /// <summary>
    /// In the data table, the time-keyed index of connections the expiry timer has something to do for (a reminder, a
    /// renewal, the end): one row per connection and due time, so the timer reads the range up to now and never
    /// scans connections. A row outlived by a change of the connection finds nothing due and is dropped.
    /// </summary>
    public const string ConnectionDuePartition = "connection-due";

    public static string ConnectionDue(DateTimeOffset due, string connectionId) => TimeOrdered(due, connectionId);

    /// <summary>The row key of a time-keyed index: fixed-width ticks first, so keys sort as the times do, then an id.</summary>
    public static string TimeOrdered(DateTimeOffset at, string id) =>
        at.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "|" + id;

    /// <summary>The first time-ordered key after <paramref name="at"/>: the keys below it are those at or before it.</summary>
    public static string TimeOrderedAfter(DateTimeOffset at) => TimeOrdered(at.AddTicks(1), "");

    /// <summary>An account's activity trail in its partition, newest first: the key counts down as time goes on.</summary>
    public const string ActivityPrefix = "activity|";

    public static string Activity(DateTimeOffset at, string entryId) => ActivityPrefix + Countdown(at) + "|" + entryId;

    /// <summary>Under a trail's <paramref name="prefix"/>, a key after every entry made at or since <paramref name="at"/> and before every older one.</summary>
    public static string ActivityBefore(string prefix, DateTimeOffset at) => prefix + Countdown(at) + "|~";

    /// <summary>A connection's own history, beside its canonical row in the client's partition, newest first.</summary>
    public static string ConnectionActivityPrefix(string connectionId) => "activity-conn|" + connectionId + "|";

    public static string ConnectionActivity(string connectionId, DateTimeOffset at, string entryId) => ConnectionActivityPrefix(connectionId) + Countdown(at) + "|" + entryId;

    /// <summary>
    /// The day index of the activity sweep: one row per day and partition that got an entry that day, so the sweep
    /// reads the days past retention and visits only those partitions' oldest keys, never every account.
    /// </summary>
    public const string ActivityDaysPartition = "activity-days";

    public static string ActivityDay(DateTimeOffset at, string partitionKey) =>
        at.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + "|" + partitionKey;

    /// <summary>The first day-index key of the day after <paramref name="day"/>'s: the sweep reads the keys below it.</summary>
    public static string ActivityDayAfter(DateTimeOffset day) => ActivityDay(day.AddDays(1), "");

    private static string Countdown(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>In a client account's partition, when an agency user last worked on it (<c>LastAccess</c>).</summary>
    public const string LastAccessPrefix = "lastaccess|";

    public static string LastAccess(string userId) => LastAccessPrefix + Uri.EscapeDataString(userId);

    public static string Resource(string kind, string id) => kind + "|" + id;

    public static string ResourcePrefix(string kind) => kind + "|";

    /// <summary>User ids come from the identity provider, so they are escaped before they become keys.</summary>
    public static string UserPartition(string userId) => "user|" + Uri.EscapeDataString(userId);

    public const string UserProfileRow = "profile";

    public static string UserMembership(string accountId) => "member|" + accountId;

    public const string UserMembershipPrefix = "member|";
}
