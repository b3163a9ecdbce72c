using System.Text.Json;
using ConnectedAccounts.Functions.Email;

namespace ConnectedAccounts.Api.Tests.Email;

public sealed class EmailQueueTests
{
    [Theory]
    [MemberData(nameof(EmailSamples.Kinds), MemberType = typeof(EmailSamples))]
    public void Every_kind_survives_the_queue_with_its_kind_discriminator(EmailRequest request)
    {
        var text = EmailQueue.ToMessageText(request);

        using var document = JsonDocument.Parse(text);
        var kind = document.RootElement.GetProperty("kind").GetString()!;
        Assert.Equal(request.GetType().Name.Replace("Email", "", StringComparison.Ordinal), kind, ignoreCase: true);
        Assert.Equal(request.IdempotencyKey, document.RootElement.GetProperty("idempotencyKey").GetString());
        Assert.Equal(request.To.Address, document.RootElement.GetProperty("to").GetProperty("address").GetString());
        Assert.Equal(request, EmailQueue.FromMessageText(text));
    }

    [Fact]
    public void A_message_written_by_hand_with_the_kind_anywhere_is_read()
    {
        const string Text = """
            {"to":{"address":"a@b.test","name":null},"idempotencyKey":"k","kind":"connectionDeclined",
             "yourAccountName":"Mine","otherAccountName":"Theirs","declinedByName":"Bea"}
            """;

        var request = Assert.IsType<ConnectionDeclinedEmail>(EmailQueue.FromMessageText(Text));

        Assert.Equal(new ConnectionDeclinedEmail(new EmailAddress("a@b.test", null), "k", "Mine", "Theirs", "Bea"), request);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{\"kind\":\"nope\"}")]
    [InlineData("not json")]
    public void A_message_that_is_not_an_email_request_throws_so_it_ends_in_the_poison_queue(string text)
    {
        Assert.ThrowsAny<JsonException>(() => EmailQueue.FromMessageText(text));
    }

    [Fact]
    public void The_queue_is_called_email()
    {
        Assert.Equal("email", EmailQueue.Name);
    }
}
