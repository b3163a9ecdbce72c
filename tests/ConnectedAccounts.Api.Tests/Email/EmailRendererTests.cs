using ConnectedAccounts.Functions.Email;

namespace ConnectedAccounts.Api.Tests.Email;

public sealed class EmailRendererTests
{

    [Fact]
    public void Connection_request_names_the_requester_quotes_the_message_and_gives_link_and_expiry()
    {
        var message = EmailRenderer.Render(new ConnectionRequestedEmail(
            new EmailAddress("ceo@client.test", "Carla"), "key-1", "Acme Agency", "Alice Smith",
            "Hi Carla,\nlet us manage your ads.", EmailSamples.Link, EmailSamples.Expiry));

        Assert.Equal("Alice Smith of Acme Agency asks to connect with your account", message.Subject);
        Assert.Equal(new EmailAddress("ceo@client.test", "Carla"), message.To);
        Assert.Equal("key-1", message.IdempotencyKey);
        foreach (var body in new[] { message.TextBody, message.HtmlBody })
        {
            Assert.Contains("Hello Carla,", body);
            Assert.Contains("Alice Smith of Acme Agency asks to connect", body);
            Assert.Contains("let us manage your ads.", body);
            Assert.Contains(EmailSamples.Link.AbsoluteUri, body);
            Assert.Contains($"expires on {EmailSamples.ExpiryText}", body);
        }

        Assert.Contains("> Hi Carla,\n> let us manage your ads.\n", message.TextBody);
        Assert.Contains($"<a href=\"{EmailSamples.Link.AbsoluteUri}\">Review the request</a>", message.HtmlBody);
    }

    [Fact]
    public void Connection_request_without_a_message_has_no_quote()
    {
        var message = EmailRenderer.Render(new ConnectionRequestedEmail(
            new EmailAddress("ceo@client.test", null), "key-2", "Acme Agency", "Alice", null, EmailSamples.Link, EmailSamples.Expiry));

        Assert.StartsWith("Hello,\n", message.TextBody);
        Assert.DoesNotContain("wrote:", message.TextBody);
        Assert.DoesNotContain("<blockquote", message.HtmlBody);
    }

    [Fact]
    public void Acceptance_and_decline_name_both_accounts_and_the_person()
    {
        var accepted = EmailRenderer.Render(new ConnectionAcceptedEmail(
            EmailSamples.To("Al"), "k", "Acme Agency", "Bolt Bikes", "Bea Client", EmailSamples.Link));
        var declined = EmailRenderer.Render(new ConnectionDeclinedEmail(
            EmailSamples.To("Al"), "k", "Acme Agency", "Bolt Bikes", "Bea Client"));

        Assert.Equal("Bolt Bikes accepted your connection request", accepted.Subject);
        Assert.Contains("Bea Client accepted the connection between Acme Agency and Bolt Bikes.", accepted.TextBody);
        Assert.Contains($"Open the connection: {EmailSamples.Link.AbsoluteUri}", accepted.TextBody);
        Assert.Equal("Bolt Bikes declined your connection request", declined.Subject);
        Assert.Contains("Bea Client declined the connection between Acme Agency and Bolt Bikes.", declined.HtmlBody);
    }

    [Fact]
    public void Expired_invitation_tells_the_inviter_when_and_offers_a_one_click_resend()
    {
        var message = EmailRenderer.Render(new InvitationExpiredEmail(
            EmailSamples.To("Al"), "k", "Acme Agency", "bea@bolt.test", EmailSamples.Expiry, EmailSamples.Link));

        Assert.Equal("Your invitation to bea@bolt.test expired", message.Subject);
        Assert.Contains($"from Acme Agency to bea@bolt.test expired on {EmailSamples.ExpiryText}", message.TextBody);
        Assert.Contains($"Send it again: {EmailSamples.Link.AbsoluteUri}", message.TextBody);
        Assert.Contains($"<a href=\"{EmailSamples.Link.AbsoluteUri}\">Send it again</a>", message.HtmlBody);
    }

    [Fact]
    public void Member_invitation_gives_account_role_link_and_expiry()
    {
        var message = EmailRenderer.Render(new MemberInvitedEmail(
            EmailSamples.To("Al"), "k", "Acme Agency", "Alice", "AccountManager", EmailSamples.Link, EmailSamples.Expiry));

        Assert.Equal("Alice invited you to join Acme Agency", message.Subject);
        Assert.Contains("join Acme Agency on Connected Accounts with the role AccountManager.", message.TextBody);
        Assert.Contains($"Accept the invitation: {EmailSamples.Link.AbsoluteUri}", message.TextBody);
        Assert.Contains(EmailSamples.ExpiryText, message.TextBody);
        Assert.Contains(EmailSamples.ExpiryText, message.HtmlBody);
    }

    [Fact]
    public void Client_account_e_mail_names_agency_and_client_account()
    {
        var message = EmailRenderer.Render(new ClientAccountCreatedEmail(
            EmailSamples.To("Al"), "k", "Acme Agency", "Bolt Bikes", EmailSamples.Link, EmailSamples.Expiry));

        Assert.Equal("Acme Agency created the account Bolt Bikes for you", message.Subject);
        Assert.Contains("Acme Agency created the client account Bolt Bikes for you", message.TextBody);
        Assert.Contains($"Accept the invitation: {EmailSamples.Link.AbsoluteUri}", message.TextBody);
        Assert.Contains($"expires on {EmailSamples.ExpiryText}", message.TextBody);
    }

    [Fact]
    public void Disconnection_of_an_agency_created_client_tells_the_agency_its_users_keep_the_archive()
    {
        var message = EmailRenderer.Render(new DisconnectedEmail(
            EmailSamples.To("Al"), "k", "Acme Agency", "Bolt Bikes", "Alice", "Acme Agency",
            EmailSamples.Expiry, IntegrationsPaused: 1, ReportsArchived: 250, ClientAccountArchived: true, OrganisationRemoved: true, ToAgency: true));

        Assert.Equal("Acme Agency and Bolt Bikes are no longer connected", message.Subject);
        Assert.Contains(
            $"Alice (Acme Agency) ended the connection between the agency Acme Agency and the client Bolt Bikes on {EmailSamples.ExpiryText}.",
            message.TextBody);
        Assert.Contains("- Bolt Bikes was archived and cannot be reactivated. Its organisation had no other account, so it was removed: the users of Bolt Bikes no longer have access to it.\n", message.TextBody);
        Assert.Contains("- 250 reports moved to its archived section: the users of Acme Agency who could read them there keep reading and exporting them; nothing else of Bolt Bikes stays open to them.\n", message.TextBody);
        Assert.Contains("- 1 integration paused for Bolt Bikes only.\n", message.TextBody);
        Assert.DoesNotContain("no longer have access to Bolt Bikes", message.TextBody);
        Assert.Contains("<li>Bolt Bikes was archived and cannot be reactivated.", message.HtmlBody);
    }

    [Fact]
    public void Disconnection_of_an_agency_created_client_tells_the_clients_admin_they_lose_the_account()
    {
        var message = EmailRenderer.Render(new DisconnectedEmail(
            EmailSamples.To("Cy"), "k", "Acme Agency", "Bolt Bikes", "Alice", "Acme Agency",
            EmailSamples.Expiry, IntegrationsPaused: 1, ReportsArchived: 250, ClientAccountArchived: true, OrganisationRemoved: true, ToAgency: false));

        Assert.Contains("- Bolt Bikes was archived and cannot be reactivated. Its organisation had no other account, so it was removed: the users of Bolt Bikes, you among them, no longer have access to it.\n", message.TextBody);
        Assert.Contains("- Its 250 reports stay with Acme Agency, archived, readable and exportable by its users.\n", message.TextBody);
        Assert.DoesNotContain("still readable and exportable", message.TextBody);
    }

    [Fact]
    public void A_changed_scope_lists_what_was_added_removed_and_is_now_granted()
    {
        var message = EmailRenderer.Render(new ConnectionPermissionsChangedEmail(
            EmailSamples.To("Al"), "k", "Acme Agency", "Bolt Bikes", "Carol", "items.readWrite", "", "items.readWrite,reports.read"));

        Assert.Equal("Bolt Bikes changed what Acme Agency may do", message.Subject);
        Assert.Contains("Carol (Bolt Bikes) changed the permissions of its connection with Acme Agency. It applies to your agency users' next request.", message.TextBody);
        Assert.Contains("- Added: items.readWrite.\n", message.TextBody);
        Assert.Contains("- Removed: nothing.\n", message.TextBody);
        Assert.Contains("- Now granted: items.readWrite, reports.read.\n", message.TextBody);
    }

    [Fact]
    public void Disconnection_of_an_independent_client_says_the_client_keeps_its_data()
    {
        var message = EmailRenderer.Render(new DisconnectedEmail(
            EmailSamples.To("Al"), "k", "Acme Agency", "Bolt Bikes", "Bea", "Bolt Bikes",
            EmailSamples.Expiry, IntegrationsPaused: 3, ReportsArchived: 0, ClientAccountArchived: false, OrganisationRemoved: false));

        Assert.Contains("- 3 integrations paused for Bolt Bikes only.\n", message.TextBody);
        Assert.Contains("- Bolt Bikes keeps all its reports and items.\n", message.TextBody);
        Assert.DoesNotContain("archived", message.TextBody);
        Assert.DoesNotContain("organisation", message.TextBody);
    }

    [Theory]
    [MemberData(nameof(EmailSamples.Kinds), MemberType = typeof(EmailSamples))]
    public void Every_kind_has_a_subject_both_bodies_and_the_request_recipient_and_key(EmailRequest request)
    {
        var message = EmailRenderer.Render(request);

        Assert.Equal(request.To, message.To);
        Assert.Equal(request.IdempotencyKey, message.IdempotencyKey);
        Assert.NotEmpty(message.Subject);
        Assert.Contains("Hello Zoë Admin,", message.TextBody);
        Assert.StartsWith("<!DOCTYPE html>", message.HtmlBody);
        Assert.Contains("Hello Zoë Admin,", message.HtmlBody);
        Assert.EndsWith("</html>\n", message.HtmlBody);
    }

    [Theory]
    [MemberData(nameof(EmailSamples.Kinds), MemberType = typeof(EmailSamples))]
    public void Every_user_supplied_value_is_html_encoded(EmailRequest request)
    {
        const string Hostile = "<script>alert(\"x\")</script>&'\r\nBcc: victim@x.test";
        var hostile = EmailSamples.All(Hostile).Single(r => r.GetType() == request.GetType());

        var message = EmailRenderer.Render(hostile);

        Assert.DoesNotContain("<script>", message.HtmlBody);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;", message.HtmlBody);
        Assert.Contains("<script>alert(\"x\")</script>", message.TextBody);
        Assert.DoesNotContain('\n', message.Subject);
        Assert.DoesNotContain('\r', message.Subject);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://files.example.test/x")]
    public void A_link_that_is_not_absolute_http_is_refused(string link)
    {
        var request = new MemberInvitedEmail(
            EmailSamples.To("Al"), "k", "Acme", "Alice", "Member", new Uri(link), EmailSamples.Expiry);

        Assert.Throws<ArgumentException>(() => EmailRenderer.Render(request));
    }

    [Fact]
    public void Dates_are_written_in_utc_whatever_the_offset()
    {
        Assert.Equal("2026-03-01 23:30 UTC", EmailRenderer.FormatUtc(new DateTimeOffset(2026, 3, 2, 1, 30, 0, TimeSpan.FromHours(2))));
    }
}
