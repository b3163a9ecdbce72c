using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// Turns an <see cref="EmailRequest"/> into the subject, plain text and HTML of one e-mail. Each kind is written
/// once as a list of blocks, so the two bodies cannot drift apart; every block is HTML-encoded as a whole, which
/// covers the account names, user names and messages spliced into it.
/// </summary>
public static class EmailRenderer
{
    // All of Unicode passes through unescaped so that names like "Zoë" stay readable in the HTML source;
    // the characters that matter for markup (< > & " ' and controls) are still encoded.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static EmailMessage Render(EmailRequest request) => request switch
    {
        ConnectionRequestedEmail r => Compose(
            r,
            $"{r.SenderName} of {r.FromAccountName} asks to connect with your account",
            [
                new Paragraph($"{r.SenderName} of {r.FromAccountName} asks to connect their account with yours on Connected Accounts."),
                .. r.Message is { Length: > 0 } message
                    ? (Block[])[new Paragraph($"{r.SenderName} wrote:"), new Quote(message)]
                    : [],
                new Button("Review the request", r.AcceptLink),
                new Paragraph($"This request expires on {FormatUtc(r.ExpiresAt)}. If you did not expect it, ignore this e-mail: nothing is shared until an admin accepts."),
            ]),

        ConnectionAcceptedEmail r => Compose(
            r,
            $"{r.OtherAccountName} accepted your connection request",
            [
                new Paragraph($"{r.AcceptedByName} accepted the connection between {r.YourAccountName} and {r.OtherAccountName}. The connection is now active."),
                new Button("Open the connection", r.ConnectionLink),
            ]),

        ConnectionDeclinedEmail r => Compose(
            r,
            $"{r.OtherAccountName} declined your connection request",
            [
                new Paragraph($"{r.DeclinedByName} declined the connection between {r.YourAccountName} and {r.OtherAccountName}. Nothing was shared."),
                new Paragraph("You can send a new request at any time."),
            ]),

        InvitationExpiredEmail r => Compose(
            r,
            $"Your invitation to {r.InviteeAddress} expired",
            [
                new Paragraph($"The invitation you sent from {r.AccountName} to {r.InviteeAddress} expired on {FormatUtc(r.ExpiredAt)} without an answer."),
                new Button("Send it again", r.ResendLink),
                new Paragraph("This sends a new invitation with the same settings; the old link stays dead."),
            ]),

        MemberInvitedEmail r => Compose(
            r,
            $"{r.InviterName} invited you to join {r.AccountName}",
            [
                new Paragraph($"{r.InviterName} invited you to join {r.AccountName} on Connected Accounts with the role {r.Role}."),
                new Button("Accept the invitation", r.AcceptLink),
                new Paragraph($"This invitation expires on {FormatUtc(r.ExpiresAt)}. If you did not expect it, ignore this e-mail."),
            ]),

        ClientAccountCreatedEmail r => Compose(
            r,
            $"{r.AgencyName} created the account {r.ClientAccountName} for you",
            [
                new Paragraph($"{r.AgencyName} created the client account {r.ClientAccountName} for you on Connected Accounts. Accept the invitation to sign in and see the reports {r.AgencyName} shares with you."),
                .. r.AsksTeam
                    ? new Block[] { new Paragraph($"{r.AgencyName} also asks to manage the account's team: to invite people and change or remove members below orgAdmin. You may accept without granting it.") }
                    : [],
                new Button("Accept the invitation", r.AcceptLink),
                new Paragraph($"This invitation expires on {FormatUtc(r.ExpiresAt)}."),
            ]),

        DisconnectedEmail { Expired: true } r => Compose(
            r,
            $"The connection between {r.AgencyAccountName} and {r.ClientAccountName} has ended",
            [
                new Paragraph($"The connection between the agency {r.AgencyAccountName} and the client {r.ClientAccountName} reached its end date on {FormatUtc(r.DisconnectedAt)} and ended."),
                new Paragraph("What happened:"),
                new BulletList(DisconnectionOutcomes(r)),
                .. r.ConnectAgainLink is { } link ? (Block[])[new Button("Connect again", link)] : [],
            ]),

        DisconnectedEmail r => Compose(
            r,
            $"{r.AgencyAccountName} and {r.ClientAccountName} are no longer connected",
            [
                new Paragraph($"{r.DisconnectedByName} ({r.DisconnectedByAccountName}) ended the connection between the agency {r.AgencyAccountName} and the client {r.ClientAccountName} on {FormatUtc(r.DisconnectedAt)}."),
                new Paragraph("What happened:"),
                new BulletList(DisconnectionOutcomes(r)),
            ]),

        ConnectionExpiringEmail r => Compose(
            r,
            $"The connection between {r.AgencyAccountName} and {r.ClientAccountName} ends in {Count(r.DaysBefore, "day")}",
            [
                new Paragraph($"The connection between the agency {r.AgencyAccountName} and the client {r.ClientAccountName} ends on {FormatUtc(r.ExpiresAt)}. From then on the users of {r.AgencyAccountName} no longer have access to {r.ClientAccountName}."),
                .. r.ToAgency
                    ? (Block[])[new Paragraph($"Only an admin of {r.ClientAccountName} can extend it."), new Button("Ask for an extension", r.Link)]
                    : [new Button("Extend the connection", r.Link), new Paragraph("If you do nothing, access ends by itself.")],
            ]),

        ConnectionExtendedEmail r => Compose(
            r,
            $"The connection between {r.AgencyAccountName} and {r.ClientAccountName} was extended",
            [
                new Paragraph($"The connection between the agency {r.AgencyAccountName} and the client {r.ClientAccountName} was due to end on {FormatUtc(r.PreviousExpiresAt)}; auto-extend renewed it until {FormatUtc(r.ExpiresAt)}."),
                .. r.ToAgency
                    ? (Block[])[new Button("Open the connection", r.Link)]
                    : [new Button("Change the end date or turn auto-extend off", r.Link)],
            ]),

        ConnectionPermissionsChangedEmail r => Compose(
            r,
            $"{r.ClientAccountName} changed what {r.AgencyAccountName} may do",
            [
                new Paragraph($"{r.ChangedByName} ({r.ClientAccountName}) changed the permissions of its connection with {r.AgencyAccountName}. It applies to your agency users' next request."),
                new BulletList(
                [
                    $"Added: {ActionList(r.Added)}.",
                    $"Removed: {ActionList(r.Removed)}.",
                    $"Now granted: {ActionList(r.Permissions)}.",
                ]),
            ]),

        _ => throw new ArgumentOutOfRangeException(nameof(request), request.GetType().Name, "Unknown e-mail kind."),
    };

    /// <summary>The one date format of every e-mail: unambiguous for any reader, whatever their locale.</summary>
    public static string FormatUtc(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>What the disconnection did, told to each admin as it touches their side.</summary>
    private static List<string> DisconnectionOutcomes(DisconnectedEmail r)
    {
        var paused = $"{Count(r.IntegrationsPaused, "integration")} paused for {r.ClientAccountName} only.";
        if (!r.ClientAccountArchived)
        {
            return [$"Users of {r.AgencyAccountName} no longer have access to {r.ClientAccountName}.", paused, $"{r.ClientAccountName} keeps all its reports and items."];
        }

        var removed = r.OrganisationRemoved
            ? $" Its organisation had no other account, so it was removed: the users of {r.ClientAccountName}{(r.ToAgency ? "" : ", you among them,")} no longer have access to it."
            : "";
        return r.ToAgency
            ?
            [
                $"{r.ClientAccountName} was archived and cannot be reactivated.{removed}",
                $"{Count(r.ReportsArchived, "report")} moved to its archived section: the users of {r.AgencyAccountName} who could read them there keep reading and exporting them; nothing else of {r.ClientAccountName} stays open to them.",
                paused,
            ]
            :
            [
                $"{r.ClientAccountName} was archived and cannot be reactivated.{removed}",
                $"Its {Count(r.ReportsArchived, "report")} stay with {r.AgencyAccountName}, archived, readable and exportable by its users.",
                paused,
            ];
    }

    private static string ActionList(string names) => names.Length == 0 ? "nothing" : names.Replace(",", ", ", StringComparison.Ordinal);

    private static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    private static EmailMessage Compose(EmailRequest request, string subject, IReadOnlyList<Block> blocks)
    {
        // A subject is one header line: line breaks in a user-supplied name must not reach it.
        var cleanSubject = string.Concat(subject.Select(c => char.IsControl(c) ? ' ' : c));
        var greeting = new Paragraph(request.To.Name is { Length: > 0 } name ? $"Hello {name}," : "Hello,");
        Block[] all = [greeting, .. blocks, new Paragraph("— Connected Accounts")];

        var text = new StringBuilder();
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(Html.Encode(cleanSubject))
            .Append("</title>\n</head>\n<body style=\"font-family: sans-serif; line-height: 1.5;\">\n");
        foreach (var block in all)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            block.AppendText(text);
            block.AppendHtml(html);
        }

        html.Append("</body>\n</html>\n");
        return new EmailMessage(request.To, cleanSubject, text.ToString(), html.ToString(), request.IdempotencyKey);
    }

    private abstract record Block
    {
        public abstract void AppendText(StringBuilder text);

        public abstract void AppendHtml(StringBuilder html);
    }

    private sealed record Paragraph(string Text) : Block
    {
        public override void AppendText(StringBuilder text) => text.Append(Text).Append('\n');

        public override void AppendHtml(StringBuilder html) =>
            html.Append("<p>").Append(Html.Encode(Text)).Append("</p>\n");
    }

    private sealed record Quote(string Text) : Block
    {
        public override void AppendText(StringBuilder text)
        {
            foreach (var line in Text.ReplaceLineEndings("\n").Split('\n'))
            {
                text.Append("> ").Append(line).Append('\n');
            }
        }

        public override void AppendHtml(StringBuilder html) =>
            html.Append("<blockquote style=\"white-space: pre-wrap;\">")
                .Append(Html.Encode(Text.ReplaceLineEndings("\n")))
                .Append("</blockquote>\n");
    }

    private sealed record Button(string Label, Uri Link) : Block
    {
        // The links are built by our own code from configuration; anything but an absolute http(s) URL
        // (a javascript: link above all) is a bug, and it must not reach an inbox.
        private string Href => Link is { IsAbsoluteUri: true, Scheme: "https" or "http" }
            ? Link.AbsoluteUri
            : throw new ArgumentException($"E-mail links must be absolute http(s) URLs, not '{Link}'.", nameof(Link));

        public override void AppendText(StringBuilder text) => text.Append(Label).Append(": ").Append(Href).Append('\n');

        public override void AppendHtml(StringBuilder html) =>
            html.Append("<p><a href=\"").Append(Html.Encode(Href)).Append("\">").Append(Html.Encode(Label))
                .Append("</a></p>\n<p style=\"font-size: small;\">")
                .Append(Html.Encode(Href))
                .Append("</p>\n");
    }

    private sealed record BulletList(IReadOnlyList<string> Items) : Block
    {
        public override void AppendText(StringBuilder text)
        {
            foreach (var item in Items)
            {
                text.Append("- ").Append(item).Append('\n');
            }
        }

        public override void AppendHtml(StringBuilder html)
        {
            html.Append("<ul>\n");
            foreach (var item in Items)
            {
                html.Append("<li>").Append(Html.Encode(item)).Append("</li>\n");
            }

            html.Append("</ul>\n");
        }
    }
}
