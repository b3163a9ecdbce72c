using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Storage.Tests;

public sealed class TableFilterTests
{
    [Theory]
    [InlineData("O'Brien", "'O''Brien'")]
    [InlineData("''", "''''''")]
    [InlineData("", "''")]
    [InlineData("a eq 'b'", "'a eq ''b'''")]
    public void String_literals_double_their_quotes(string value, string expected) =>
        Assert.Equal(expected, TableFilter.Literal(value));

    [Fact]
    public void Typed_literals_use_odata_syntax()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        Assert.Equal("42", TableFilter.Literal(42));
        Assert.Equal("5000000000L", TableFilter.Literal(5_000_000_000L));
        Assert.Equal("true", TableFilter.Literal(true));
        Assert.Equal("0.5", TableFilter.Literal(0.5));
        Assert.Equal("guid'0f8fad5b-d9cb-469f-a165-70867728950e'", TableFilter.Literal(id));
        Assert.Equal("datetime'2026-11-22T12:00:00.0000001Z'", TableFilter.Literal(new DateTimeOffset(2026, 11, 22, 13, 0, 0, TimeSpan.FromHours(1)).AddTicks(1)));
        Assert.Equal("X'00FF'", TableFilter.Literal(new byte[] { 0, 255 }));
    }

    [Fact]
    public void Create_escapes_every_argument_so_input_cannot_change_the_filter()
    {
        var hostile = "x' or PartitionKey ne '";

        var filter = TableFilter.Create($"PartitionKey eq {hostile} and RowKey eq {"O'Brien"}");

        Assert.Equal("PartitionKey eq 'x'' or PartitionKey ne ''' and RowKey eq 'O''Brien'", filter);
    }

    [Fact]
    public void A_prefix_query_becomes_a_half_open_row_key_range()
    {
        var query = new TableQuery { PartitionKey = "acct-1", RowKeyPrefix = "member-" };

        Assert.Equal(("member-", "member."), TableFilter.RowKeyRange(query));
        Assert.Equal("PartitionKey eq 'acct-1' and RowKey ge 'member-' and RowKey lt 'member.'", TableFilter.ForQuery(query));
    }

    [Fact]
    public void A_prefix_with_a_quote_is_escaped_in_both_bounds()
    {
        var query = new TableQuery { PartitionKey = "p", RowKeyPrefix = "O'" };

        Assert.Equal("PartitionKey eq 'p' and RowKey ge 'O''' and RowKey lt 'O('", TableFilter.ForQuery(query));
    }

    [Fact]
    public void Explicit_bounds_are_used_when_there_is_no_prefix()
    {
        var query = new TableQuery { PartitionKey = "p", RowKeyFrom = "b", RowKeyTo = "d" };

        Assert.Equal("PartitionKey eq 'p' and RowKey ge 'b' and RowKey lt 'd'", TableFilter.ForQuery(query));
        Assert.Equal("PartitionKey eq 'p'", TableFilter.ForQuery(new TableQuery { PartitionKey = "p" }));
    }
}

public sealed class TableKeysTests
{
    [Theory]
    [InlineData("acct-123")]
    [InlineData("O'Brien")]
    [InlineData("Zoë 🙂 & = + %")]
    [InlineData("a")]
    public void Ordinary_keys_are_valid(string key)
    {
        Assert.True(TableKeys.IsValid(key));
        Assert.Equal(key, TableKeys.Require(key, nameof(key)));
    }

    [Fact]
    public void A_key_of_exactly_the_maximum_length_is_valid() =>
        Assert.True(TableKeys.IsValid(new string('k', TableKeys.MaxLength)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\tb")]
    [InlineData("a\u007fb")]
    [InlineData("a\u0085b")]
    public void Keys_with_forbidden_characters_or_empty_are_invalid(string? key)
    {
        Assert.False(TableKeys.IsValid(key));
        Assert.Throws<ArgumentException>(() => TableKeys.Require(key!, nameof(key)));
    }

    [Fact]
    public void A_key_longer_than_the_maximum_is_invalid() =>
        Assert.False(TableKeys.IsValid(new string('k', TableKeys.MaxLength + 1)));
}
