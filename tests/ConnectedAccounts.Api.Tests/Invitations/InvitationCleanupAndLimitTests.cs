using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Invitations;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Invitations;

/// <summary>Owns its factory: the cleanup counts every invitation in the store.</summary>
public sealed class InvitationCleanupTests(InvitationsFactory factory) : IClassFixture<InvitationsFactory>
{
    [Fact]
    public async Task The_cleanup_expires_only_lapsed_invitations_once_even_when_two_run_at_once_and_deletes_them_after_retention()
    {
        var alice = TestUser.New("alice");
        var admin = factory.Signed(alice);
        var accountId = await admin.CreateAccountAsync("client", "Bob's Bikes");
        var lapsing = new[] { TestUser.New("a"), TestUser.New("b"), TestUser.New("c") };
        foreach (var invitee in lapsing)
        {
            await admin.InviteMemberAsync(accountId, invitee.Email);
        }

        var cleanup = factory.Services.GetRequiredService<InvitationCleanup>();
        Assert.Equal(new CleanupResult(0, 0, 0), await cleanup.RunAsync(CancellationToken.None));

        factory.Clock.Advance(TimeSpan.FromDays(8));
        var live = TestUser.New("live");
        await admin.InviteMemberAsync(accountId, live.Email);

        var runs = await Task.WhenAll(cleanup.RunAsync(CancellationToken.None), cleanup.RunAsync(CancellationToken.None));
        Assert.Equal(3, runs.Sum(r => r.Expired));
        Assert.Equal(new CleanupResult(0, 0, 0), await cleanup.RunAsync(CancellationToken.None));

        var expiredMails = await factory.MailAsync<InvitationExpiredEmail>(alice.Email, 3);
        Assert.Equal(3, expiredMails.Count);
        Assert.Equal(lapsing.Select(u => u.Email.ToLowerInvariant()).Order(), expiredMails.Select(m => m.InviteeAddress).Order());
        Assert.All(expiredMails, m => Assert.Matches($"/accounts/{accountId}/invitations/inv[a-z0-9]+/resend$", m.ResendLink.AbsoluteUri));
        var liveToken = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(live.Email)).AcceptLink);
        await factory.Anonymous().GetAsync($"/api/invitations/{liveToken}").ExpectAsync(HttpStatusCode.OK);

        // The expiry e-mail's one-click resend works on the expired invitation.
        var resendPath = expiredMails[0].ResendLink.AbsolutePath;
        var resent = await admin.PostAsync("/api" + resendPath, null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("pending", (string?)resent["state"]);

        factory.Clock.Advance(TimeSpan.FromDays(31));
        var late = await Task.WhenAll(cleanup.RunAsync(CancellationToken.None), cleanup.RunAsync(CancellationToken.None));
        Assert.Equal(2, late.Sum(r => r.Expired));
        Assert.Equal(3, late.Sum(r => r.Deleted));
        Assert.Equal(new CleanupResult(0, 0, 0), await cleanup.RunAsync(CancellationToken.None));
    }
}

public sealed class InvitationLimitTests(LimitedInvitationsFactory factory) : IClassFixture<LimitedInvitationsFactory>
{
    [Fact]
    public async Task An_account_past_its_daily_invitations_gets_429_with_retry_after_until_the_day_rolls()
    {
        var admin = factory.Signed(TestUser.New("alice"));
        var accountId = await admin.CreateAccountAsync("client");
        for (var i = 0; i < 3; i++)
        {
            await admin.InviteMemberAsync(accountId, TestUser.New("p" + i).Email);
        }

        var response = await admin.PostJsonAsync($"/api/accounts/{accountId}/members", new { email = TestUser.New("p4").Email, role = "viewOnly" });
        var retryAfter = response.Headers.RetryAfter?.Delta;
        await Task.FromResult(response).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "invitation-rate-limited");
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromHours(23), TimeSpan.FromDays(1));
        await admin.PostJsonAsync($"/api/accounts/{accountId}/connections", new { targetEmail = TestUser.New("c").Email })
            .ExpectProblemAsync(HttpStatusCode.TooManyRequests, "invitation-rate-limited");

        factory.Clock.Advance(TimeSpan.FromDays(1));
        await admin.InviteMemberAsync(accountId, TestUser.New("p5").Email);
    }

    [Fact]
    public async Task A_recipient_address_past_its_daily_invitations_gets_429_whichever_account_sends()
    {
        var target = TestUser.New("popular");
        for (var i = 0; i < 2; i++)
        {
            var sender = factory.Signed(TestUser.New("s" + i));
            await sender.InviteMemberAsync(await sender.CreateAccountAsync("client"), target.Email);
        }

        var third = factory.Signed(TestUser.New("s3"));
        var agencyId = await third.CreateAccountAsync("agency");
        var response = await third.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Client", email = target.Email.ToUpperInvariant() });
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await Task.FromResult(response).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "invitation-rate-limited");
        Assert.Equal(2, (await factory.AllMailAsync(target.Email)).Count);
    }
}
