using ConnectedAccounts.Functions;
using ConnectedAccounts.Functions.Persistence;

namespace ConnectedAccounts.Api.Tests;

/// <summary>Documents longer than one string property are split over chunks and read back whole.</summary>
public sealed class DocumentsTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(29_998)]
    [InlineData(65_000)]
    public void A_document_reads_back_whole_and_its_length_counts_every_chunk(int length)
    {
        var text = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));

        var entity = Documents.ToEntity("p", "r", "test", text, AppJsonContext.Default.String);

        Assert.Equal(text, Documents.FromEntity(entity, AppJsonContext.Default.String));
        Assert.Equal(length + 2, Documents.Length(entity));
        Assert.Equal(length > 30_000, entity.GetString("Doc1") is not null);
    }
}
