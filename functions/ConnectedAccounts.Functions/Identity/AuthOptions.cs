using System.ComponentModel.DataAnnotations;

namespace ConnectedAccounts.Functions.Identity;

/// <summary>
/// Section <c>Auth</c>. In Azure: <see cref="Authority"/> (the Entra ID tenant) and <see cref="Audience"/>.
/// Locally and in tests: a symmetric <see cref="SigningKey"/> (base64, ≥ 256 bits) with <see cref="Issuer"/>.
/// </summary>
public sealed class AuthOptions
{
    public string? Authority { get; set; }

    [Required]
    public string Issuer { get; set; } = "connected-accounts-dev";

    [Required]
    public string Audience { get; set; } = "connected-accounts";

    public string? SigningKey { get; set; }

    /// <summary>Serves <c>POST /api/dev/tokens</c>; honoured only in the Development environment.</summary>
    public bool DevTokens { get; set; }

    /// <summary>Whether <c>POST /api/dev/tokens</c> exists: asked, in Development, and no Entra authority configured.</summary>
    public bool DevTokensServed(IHostEnvironment environment) => DevTokens && environment.IsDevelopment() && Authority is null;

    [Range(1, 1440)]
    public int DevTokenLifetimeMinutes { get; set; } = 480;
}
