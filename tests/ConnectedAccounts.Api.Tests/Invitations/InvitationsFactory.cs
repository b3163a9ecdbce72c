using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Storage.Queues;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Invitations;

/// <summary>
/// The program on a manual clock (<see cref="ClockedApiFactory"/>, so the tests run the cleanup when they choose),
/// with a mailbox that drains the <c>email</c> queue (no sender runs in tests, so every queued e-mail waits there) and
/// keeps what it read for the tests to look through.
/// </summary>
public class InvitationsFactory : ClockedApiFactory
{
    private readonly List<EmailRequest> _mail = [];
    private readonly SemaphoreSlim _mailLock = new(1, 1);

    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient Anonymous() => CreateClient();

    /// <summary>Waits for <paramref name="count"/> e-mails of type <typeparamref name="T"/> to <paramref name="address"/>.</summary>
    public async Task<List<T>> MailAsync<T>(string address, int count = 1)
        where T : EmailRequest
    {
        List<T> found = [];
        await TestApi.EventuallyAsync(async () =>
        {
            await DrainAsync();
            found = _mail.OfType<T>().Where(m => string.Equals(m.To.Address, address, StringComparison.OrdinalIgnoreCase)).ToList();
            return found.Count >= count;
        }, $"{count} {typeof(T).Name} to {address}");
        return found;
    }

    /// <summary>Every e-mail to <paramref name="address"/> read so far (after the relay has had a moment).</summary>
    public async Task<List<EmailRequest>> AllMailAsync(string address)
    {
        await Task.Delay(300);
        await DrainAsync();
        return _mail.Where(m => string.Equals(m.To.Address, address, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    public static string TokenOf(Uri link) => link.Segments[^1];

    private async Task DrainAsync()
    {
        var queue = Services.GetRequiredService<IQueueServiceClient>().GetQueueClient(EmailQueue.Name);
        await _mailLock.WaitAsync();
        try
        {
            await Services.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None);
            // Nothing sent yet leaves no queue on Azure Storage (sending creates it); an empty mailbox, not an error.
            await queue.CreateIfNotExistsAsync();
            while (true)
            {
                var messages = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5));
                if (messages.Count == 0)
                {
                    return;
                }

                foreach (var message in messages)
                {
                    // Delivery is at least once (the relay and a sweep may both send a row), and the real sender
                    // drops repeats by idempotency key; so does this mailbox.
                    var mail = EmailQueue.FromMessageText(message.Text);
                    if (!_mail.Any(m => m.IdempotencyKey == mail.IdempotencyKey))
                    {
                        _mail.Add(mail);
                    }

                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
            }
        }
        finally
        {
            _mailLock.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _mailLock.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Low limits, so a test reaches them in a few calls.</summary>
public sealed class LimitedInvitationsFactory : InvitationsFactory
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Invitations:MaxPerAccountPerDay"] = "3",
        ["Invitations:MaxPerRecipientPerDay"] = "2",
    };
}

public static class InvitationFlows
{
    public static async Task<string> InviteMemberAsync(this HttpClient admin, string accountId, string email, string role = "regularUser")
    {
        var invitation = await admin.PostJsonAsync($"/api/accounts/{accountId}/members", new { email, role }).ExpectAsync(HttpStatusCode.Accepted);
        return (string)invitation["id"]!;
    }
}
