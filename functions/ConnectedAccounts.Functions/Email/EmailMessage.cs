namespace ConnectedAccounts.Functions.Email;

/// <summary>A mailbox: the address and, when known, the person's display name.</summary>
public sealed record EmailAddress(string Address, string? Name);

/// <summary>
/// A rendered e-mail, ready for a sender. <see cref="IdempotencyKey"/> lets a sender recognise a message it has
/// already handled, because the queue delivers at least once.
/// </summary>
public sealed record EmailMessage(
    EmailAddress To,
    string Subject,
    string TextBody,
    string HtmlBody,
    string? IdempotencyKey);
