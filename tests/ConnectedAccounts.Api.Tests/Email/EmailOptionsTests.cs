using ConnectedAccounts.Functions.Email;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Api.Tests.Email;

public sealed class EmailOptionsTests
{
    [Fact]
    public void With_no_configuration_e_mails_go_to_the_mail_folder_under_the_data_path()
    {
        using var services = EmailTestHost.Build(new Dictionary<string, string?>());

        var options = services.GetRequiredService<IOptions<EmailOptions>>().Value;

        Assert.Equal(EmailProvider.Pickup, options.Provider);
        Assert.Equal(Path.Combine("data", "mail"), options.PickupDirectory);
        Assert.IsType<PickupFolderEmailSender>(services.GetRequiredService<IEmailSender>());
    }

    [Fact]
    public void The_pickup_folder_follows_Storage_DataPath()
    {
        using var services = EmailTestHost.Build(new Dictionary<string, string?> { ["Storage:DataPath"] = "/srv/ca" });

        Assert.Equal(Path.Combine("/srv/ca", "mail"), services.GetRequiredService<IOptions<EmailOptions>>().Value.PickupDirectory);
    }

    [Fact]
    public void SendGrid_with_an_api_key_uses_the_SendGrid_sender()
    {
        using var services = EmailTestHost.Build(new Dictionary<string, string?>
        {
            ["Email:Provider"] = "SendGrid",
            ["Email:SendGrid:ApiKey"] = "SG.key",
        });

        Assert.IsType<SendGridEmailSender>(services.GetRequiredService<IEmailSender>());
    }

    [Theory]
    [InlineData("Email:Provider", "SendGrid", "Email:SendGrid:ApiKey is required")]
    [InlineData("Email:PublicBaseUrl", "ftp://app.example.test", "Email:PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Email:PublicBaseUrl", "/relative", "Email:PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Email:FromAddress", "not an address", "Email:FromAddress")]
    [InlineData("Email:FromAddress", "Name <a@b.test>", "Email:FromAddress")]
    public void An_invalid_setting_is_refused_with_a_message_naming_it(string key, string value, string expected)
    {
        using var services = EmailTestHost.Build(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<EmailOptions>>().Value);

        Assert.Contains(failure.Failures, message => message.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Email:SendGrid:BaseUrl", "not a url")]
    [InlineData("Email:SendGrid:MaxAttempts", "0")]
    [InlineData("Email:SendGrid:RetryBaseDelay", "-00:00:01")]
    [InlineData("Email:SendGrid:Timeout", "00:00:00")]
    public void Invalid_SendGrid_settings_are_refused(string key, string value)
    {
        using var services = EmailTestHost.Build(new Dictionary<string, string?>
        {
            ["Email:Provider"] = "SendGrid",
            ["Email:SendGrid:ApiKey"] = "SG.key",
            [key] = value,
        });

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<EmailOptions>>().Value);
    }

    [Theory]
    [InlineData("https://app.example.test", "https://app.example.test/invitations/abc_-123")]
    [InlineData("https://app.example.test/base/", "https://app.example.test/base/invitations/abc_-123")]
    public void Invitation_links_start_with_the_configured_public_base_url(string baseUrl, string expected)
    {
        var options = new EmailOptions { PublicBaseUrl = baseUrl };

        Assert.Equal(new Uri(expected), options.InvitationLink("abc_-123"));
    }

    [Fact]
    public void A_token_cannot_escape_the_invitations_path()
    {
        var options = new EmailOptions { PublicBaseUrl = "https://app.example.test" };

        Assert.Equal("/invitations/..%2Fadmin%3Fx", options.InvitationLink("../admin?x").AbsolutePath);
    }

    [Fact]
    public async Task An_invalid_configuration_stops_the_host_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Email:Provider"] = "SendGrid" });
        builder.Services.AddEmail();
        using var host = builder.Build();

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}
