using ConnectedAccounts.Storage.Azure;

namespace ConnectedAccounts.Storage.Tests.Azure;

public sealed class StorageConnectionStringTests
{
    [Fact]
    public void Development_storage_means_azurite_on_its_default_ports()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(Convert.FromBase64String(StorageConnectionString.DevelopmentAccountKey), parsed.AccountKey);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), parsed.TableEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), parsed.QueueEndpoint);
    }

    [Fact]
    public void Account_endpoints_are_derived_from_protocol_and_suffix()
    {
        var parsed = StorageConnectionString.Parse("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal("acme", parsed.AccountName);
        Assert.Equal("key"u8.ToArray(), parsed.AccountKey);
        Assert.Equal(new Uri("https://acme.table.core.chinacloudapi.cn"), parsed.TableEndpoint);
        Assert.Equal(new Uri("https://acme.queue.core.chinacloudapi.cn"), parsed.QueueEndpoint);
    }

    [Fact]
    public void Explicit_endpoints_win_and_names_are_case_insensitive()
    {
        var parsed = StorageConnectionString.Parse(
            " accountname=devstoreaccount1 ; ACCOUNTKEY=a2V5; TableEndpoint=http://127.0.0.1:5555/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:6666/devstoreaccount1;");

        Assert.Equal(new Uri("http://127.0.0.1:5555/devstoreaccount1"), parsed.TableEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:6666/devstoreaccount1"), parsed.QueueEndpoint);
        Assert.Equal("https://acme.table.core.windows.net/", StorageConnectionString.Parse("AccountName=acme;AccountKey=a2V5").TableEndpoint.AbsoluteUri);
    }

    [Theory]
    [InlineData("AccountKey=a2V5")]
    [InlineData("AccountName=acme")]
    [InlineData("AccountName=acme;AccountKey=not base64!")]
    [InlineData("garbage")]
    public void Incomplete_or_malformed_connection_strings_are_refused(string connectionString)
    {
        Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));
    }

    [Fact]
    public void The_account_key_never_appears_in_text()
    {
        var parsed = StorageConnectionString.Parse("AccountName=acme;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==");

        Assert.DoesNotContain("c2VjcmV0", parsed.ToString(), StringComparison.Ordinal);
        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse("AccountName=acme;AccountKey c2VjcmV0"));
        Assert.DoesNotContain("c2VjcmV0", error.Message, StringComparison.Ordinal);
    }
}
