using System.Globalization;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// The parts of an Azure Storage connection string the table and queue clients need. Understands
/// <c>UseDevelopmentStorage=true</c> (Azurite on its default ports), account name and key, explicit
/// <c>TableEndpoint</c>/<c>QueueEndpoint</c> (path-style Azurite URLs included) and endpoints derived from
/// <c>DefaultEndpointsProtocol</c> and <c>EndpointSuffix</c>.
/// </summary>
public sealed record StorageConnectionString(string AccountName, byte[] AccountKey, Uri TableEndpoint, Uri QueueEndpoint)
{
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented by Microsoft).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static StorageConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"Connection string segment '{Redact(segment)}' is not 'Name=Value'.");
            }

            parts[segment[..equals].Trim()] = segment[(equals + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            return new StorageConnectionString(
                DevelopmentAccountName,
                Convert.FromBase64String(DevelopmentAccountKey),
                Endpoint(parts, "TableEndpoint") ?? new Uri("http://127.0.0.1:10002/" + DevelopmentAccountName),
                Endpoint(parts, "QueueEndpoint") ?? new Uri("http://127.0.0.1:10001/" + DevelopmentAccountName));
        }

        if (parts.ContainsKey("SharedAccessSignature"))
        {
            throw new NotSupportedException("SAS connection strings are not supported; use an account key or a TokenCredential.");
        }

        var account = Required(parts, "AccountName");
        byte[] key;
        try
        {
            key = Convert.FromBase64String(Required(parts, "AccountKey"));
        }
        catch (FormatException)
        {
            throw new FormatException("AccountKey is not base64.");
        }

        var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        return new StorageConnectionString(
            account,
            key,
            Endpoint(parts, "TableEndpoint") ?? new Uri(string.Create(CultureInfo.InvariantCulture, $"{protocol}://{account}.table.{suffix}")),
            Endpoint(parts, "QueueEndpoint") ?? new Uri(string.Create(CultureInfo.InvariantCulture, $"{protocol}://{account}.queue.{suffix}")));
    }

    /// <summary>Never prints the key: connection strings end up in logs and exception messages.</summary>
    public override string ToString() => $"AccountName={AccountName};TableEndpoint={TableEndpoint};QueueEndpoint={QueueEndpoint}";

    private static string Required(Dictionary<string, string> parts, string name) =>
        parts.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"The storage connection string has no {name}.");

    private static Uri? Endpoint(Dictionary<string, string> parts, string name) =>
        parts.TryGetValue(name, out var value) && value.Length > 0
            ? new Uri(value.TrimEnd('/'), UriKind.Absolute)
            : null;

    private static string Redact(string segment) =>
        segment.StartsWith("AccountKey", StringComparison.OrdinalIgnoreCase) ? "AccountKey=…" : segment;
}
