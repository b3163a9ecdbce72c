using ConnectedAccounts.Functions.Email;

namespace ConnectedAccounts.Api.Tests.Email;

/// <summary>One request of every kind, with every user-supplied string set to <paramref name="user"/>.</summary>
internal static class EmailSamples
{
    public static readonly DateTimeOffset Expiry = new(2026, 11, 30, 15, 0, 0, TimeSpan.FromHours(1));
    public const string ExpiryText = "2026-11-30 14:00 UTC";
    public static readonly Uri Link = new("https://app.example.test/invitations/tok_123");

    public static IReadOnlyList<EmailRequest> All(string user = "Zoë") =>
    [
        new ConnectionRequestedEmail(To(user), "k-requested", $"{user} Agency", $"{user} Sender", $"{user} message", Link, Expiry),
        new ConnectionAcceptedEmail(To(user), "k-accepted", $"{user} Mine", $"{user} Theirs", $"{user} Accepter", Link),
        new ConnectionDeclinedEmail(To(user), "k-declined", $"{user} Mine", $"{user} Theirs", $"{user} Decliner"),
        new InvitationExpiredEmail(To(user), "k-expired", $"{user} Account", "invitee@client.test", Expiry, Link),
        new MemberInvitedEmail(To(user), "k-member", $"{user} Account", $"{user} Inviter", "AccountManager", Link, Expiry),
        new ClientAccountCreatedEmail(To(user), "k-client", $"{user} Agency", $"{user} Client", Link, Expiry),
        new DisconnectedEmail(To(user), "k-disconnected", $"{user} Agency", $"{user} Client", $"{user} Admin", $"{user} Agency", Expiry, 2, 17, true, true),
        new ConnectionPermissionsChangedEmail(To(user), "k-permissions", $"{user} Agency", $"{user} Client", $"{user} Changer", "items.readWrite", "reports.export", "items.readWrite,reports.read"),
    ];

    public static TheoryData<EmailRequest> Kinds()
    {
        var data = new TheoryData<EmailRequest>();
        foreach (var request in All())
        {
            data.Add(request);
        }

        return data;
    }

    public static EmailAddress To(string user) => new("admin@client.test", $"{user} Admin");
}
