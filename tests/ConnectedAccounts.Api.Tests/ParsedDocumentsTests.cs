using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Api.Tests;

/// <summary>Parsed values are reused only for the same row at the same ETag.</summary>
public sealed class ParsedDocumentsTests
{
    private int _parses;

    [Fact]
    public void The_same_row_at_the_same_etag_is_parsed_once()
    {
        var parsed = Counting();

        var first = parsed.Get(Row("p", "r", "e1", "one"));
        var second = parsed.Get(Row("p", "r", "e1", "one"));

        Assert.Same(first, second);
        Assert.Equal(1, _parses);
    }

    [Fact]
    public void Another_etag_another_row_or_no_etag_is_parsed_again()
    {
        var parsed = Counting();
        parsed.Get(Row("p", "r", "e1", "one"));

        Assert.Equal("two", parsed.Get(Row("p", "r", "e2", "two")));
        Assert.Equal("three", parsed.Get(Row("p", "other", "e2", "three")));
        Assert.Equal("four", parsed.Get(Row("other", "r", "e2", "four")));
        Assert.Equal("five", parsed.Get(new TableEntity("p", "r") { ["Doc"] = "five" }));
        Assert.Equal("five", parsed.Get(new TableEntity("p", "r") { ["Doc"] = "five" }));
        Assert.Equal(6, _parses);

        // The newest version is the one remembered.
        Assert.Equal("two", parsed.Get(Row("p", "r", "e2", "two")));
        Assert.Equal(6, _parses);
    }

    [Fact]
    public void Past_the_size_limit_it_starts_afresh()
    {
        var parsed = Counting();
        var large = new string('x', (int)(ParsedDocuments<string>.MaxChars / 2) + 1);
        parsed.Get(Row("p", "a", "e", large));
        parsed.Get(Row("p", "b", "e", large));
        Assert.Equal(2, _parses);

        parsed.Get(Row("p", "a", "e", large));

        Assert.Equal(3, _parses);
    }

    private ParsedDocuments<string> Counting() => new(entity =>
    {
        _parses++;
        return new string(entity.GetString("Doc"));
    });

    private static TableEntity Row(string partitionKey, string rowKey, string etag, string document) =>
        new(partitionKey, rowKey) { ETag = new ETag(etag), ["Doc"] = document };
}
