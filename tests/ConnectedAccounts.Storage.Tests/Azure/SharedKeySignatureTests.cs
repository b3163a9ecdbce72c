using ConnectedAccounts.Storage.Azure;
using global::Azure.Core;
using global::Azure.Core.Pipeline;

namespace ConnectedAccounts.Storage.Tests.Azure;

/// <summary>
/// Expected signatures were computed outside .NET (Python hmac/sha256 over the string-to-sign written out by
/// hand from the REST documentation), so these tests do not check the code against itself.
/// </summary>
public sealed class SharedKeySignatureTests
{
    private const string Date = "Sun, 22 Nov 2026 10:00:00 GMT";
    private static readonly byte[] Key = Convert.FromBase64String(StorageConnectionString.DevelopmentAccountKey);
    private static readonly HttpPipeline Pipeline = HttpPipelineBuilder.Build(new StorageClientOptions());

    [Fact]
    public void Table_requests_are_signed_with_shared_key_lite_over_date_and_path_style_resource()
    {
        var message = Pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri("http://127.0.0.1:10002/devstoreaccount1/accounts(PartitionKey='o%27%27b',RowKey='r1')"));
        message.Request.Headers.SetValue("x-ms-date", Date);
        message.Request.Headers.SetValue("x-ms-version", "2019-02-02");

        new TableSharedKeyLitePolicy("devstoreaccount1", Key).OnSendingRequest(message);

        Assert.Equal(
            Date + "\n/devstoreaccount1/devstoreaccount1/accounts(PartitionKey='o%27%27b',RowKey='r1')",
            TableSharedKeyLitePolicy.StringToSign(message.Request, "devstoreaccount1"));
        Assert.True(message.Request.Headers.TryGetValue("Authorization", out var authorization));
        Assert.Equal("SharedKeyLite devstoreaccount1:GbP64R2SWs6efohLuTrAr2qyGEsyYFf0IUZ1OL3lteI=", authorization);
    }

    [Fact]
    public void Queue_requests_are_signed_with_shared_key_including_decoded_sorted_query_parameters()
    {
        var message = Pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Put;
        message.Request.Uri.Reset(new Uri("http://127.0.0.1:10001/devstoreaccount1/jobs/messages/abc?visibilitytimeout=30&popreceipt=AAA%2Bb%2Fc%3D"));
        message.Request.Headers.SetValue("x-ms-version", "2021-12-02");
        message.Request.Headers.SetValue("x-ms-date", Date);

        new QueueSharedKeyPolicy("devstoreaccount1", Key).OnSendingRequest(message);

        Assert.True(message.Request.Headers.TryGetValue("Authorization", out var authorization));
        Assert.Equal("SharedKey devstoreaccount1:WTgH1pBMRMGAsShAnwnOaceWCTyLlwBlucLMAlbw5Gw=", authorization);
    }

    [Fact]
    public void Queue_signatures_cover_content_length_content_type_and_every_x_ms_header()
    {
        var message = Pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri("http://127.0.0.1:10001/devstoreaccount1/jobs/messages?visibilitytimeout=5"));
        message.Request.Headers.SetValue("x-ms-version", "2021-12-02");
        message.Request.Headers.SetValue("x-ms-date", Date);
        message.Request.Headers.SetValue("x-ms-client-request-id", "fixed");
        message.Request.Headers.SetValue("Content-Type", "application/xml");
        message.Request.Content = RequestContent.Create(new byte[44]);

        new QueueSharedKeyPolicy("devstoreaccount1", Key).OnSendingRequest(message);

        Assert.Equal(
            "POST\n\n\n44\n\napplication/xml\n\n\n\n\n\n\nx-ms-client-request-id:fixed\nx-ms-date:" + Date +
            "\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/jobs/messages\nvisibilitytimeout:5",
            QueueSharedKeyPolicy.StringToSign(message.Request, "devstoreaccount1"));
        Assert.True(message.Request.Headers.TryGetValue("Authorization", out var authorization));
        Assert.Equal("SharedKey devstoreaccount1:pxdus+Di8xEhScyIicOh3KfFW/FDYmEzaAi6FimySEM=", authorization);
    }
}
