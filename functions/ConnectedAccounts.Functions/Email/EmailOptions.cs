using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Email;

public enum EmailProvider
{
    /// <summary>Writes <c>.eml</c> files to a folder: the embedded default, so a developer can open what was sent.</summary>
    Pickup,

    /// <summary>SendGrid's v3 <c>mail/send</c> API.</summary>
    SendGrid,
}

/// <summary>Configuration section <c>Email</c>.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    public EmailProvider Provider { get; set; } = EmailProvider.Pickup;

    public string FromAddress { get; set; } = "no-reply@connected-accounts.local";

    public string FromName { get; set; } = "Connected Accounts";

    /// <summary>Where <see cref="PickupFolderEmailSender"/> writes; unset means <c>{Storage:DataPath}/mail</c>.</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>
    /// The frontend's base URL that e-mail links start with (<c>{PublicBaseUrl}/invitations/{token}</c>). It comes
    /// from configuration so that a forged Host header can never redirect an invitation link.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>The link an invitation e-mail carries: <c>{PublicBaseUrl}/invitations/{token}</c>.</summary>
    public Uri InvitationLink(string token) =>
        new($"{PublicBaseUrl.TrimEnd('/')}/invitations/{Uri.EscapeDataString(token)}", UriKind.Absolute);

    /// <summary>
    /// What the expiry e-mails link to: for the client, the page that extends the connection
    /// (<c>{PublicBaseUrl}/connections/{id}/extend</c>); for the agency, the connection, to ask for an extension
    /// (<c>{PublicBaseUrl}/connections/{id}/ask-to-extend</c>).
    /// </summary>
    public Uri ExtendLink(string connectionId, bool toAgency) =>
        new($"{PublicBaseUrl.TrimEnd('/')}/connections/{Uri.EscapeDataString(connectionId)}/{(toAgency ? "ask-to-extend" : "extend")}", UriKind.Absolute);

    /// <summary>Where an account's connections are listed and a new one is requested: <c>{PublicBaseUrl}/accounts/{id}/connections</c>.</summary>
    public Uri ConnectionsLink(string accountId) =>
        new($"{PublicBaseUrl.TrimEnd('/')}/accounts/{Uri.EscapeDataString(accountId)}/connections", UriKind.Absolute);

    public SendGridOptions SendGrid { get; set; } = new();

    /// <summary>
    /// How long the record of a sent e-mail is kept (it stops a redelivered message being sent twice): longer than a
    /// queue message lives (7 days), with room for a poison message replayed by hand.
    /// </summary>
    public TimeSpan SentRecordRetention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Configuration section <c>Email:SendGrid</c>.</summary>
public sealed class SendGridOptions
{
    public string? ApiKey { get; set; }

    public string BaseUrl { get; set; } = "https://api.sendgrid.com";

    /// <summary>Attempts per message, the first included, before the failure goes back to the queue.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The first back-off after a 5xx or a network fault; it doubles with each further attempt.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Bounds every wait, a 429's <c>Retry-After</c> included: a handler that sleeps longer holds its queue
    /// message for nothing, when the queue's own retry can wait instead.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Refuses, at start-up, a configuration that could only fail later at the first e-mail.</summary>
public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        List<string> failures = [];
        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add($"Email:Provider must be {EmailProvider.Pickup} or {EmailProvider.SendGrid}.");
        }

        if (options.SentRecordRetention < TimeSpan.FromDays(1) || options.SentRecordRetention > TimeSpan.FromDays(365))
        {
            failures.Add("Email:SentRecordRetention must be between 1 and 365 days.");
        }

        if (!MailAddress.TryCreate(options.FromAddress, out var from) || from.Address != options.FromAddress)
        {
            failures.Add("Email:FromAddress must be a plain e-mail address.");
        }

        if (!IsHttpUrl(options.PublicBaseUrl))
        {
            failures.Add("Email:PublicBaseUrl must be an absolute http(s) URL.");
        }

        if (options.Provider == EmailProvider.SendGrid)
        {
            var sendGrid = options.SendGrid;
            if (string.IsNullOrWhiteSpace(sendGrid.ApiKey))
            {
                failures.Add("Email:SendGrid:ApiKey is required when Email:Provider is SendGrid.");
            }

            if (!IsHttpUrl(sendGrid.BaseUrl))
            {
                failures.Add("Email:SendGrid:BaseUrl must be an absolute http(s) URL.");
            }

            if (sendGrid.MaxAttempts is < 1 or > 10)
            {
                failures.Add("Email:SendGrid:MaxAttempts must be between 1 and 10.");
            }

            if (sendGrid.RetryBaseDelay < TimeSpan.Zero || sendGrid.MaxRetryDelay < TimeSpan.Zero)
            {
                failures.Add("Email:SendGrid retry delays must not be negative.");
            }

            if (sendGrid.Timeout <= TimeSpan.Zero)
            {
                failures.Add("Email:SendGrid:Timeout must be positive.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
