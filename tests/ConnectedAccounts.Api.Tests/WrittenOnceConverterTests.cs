using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ConnectedAccounts.Functions;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Resources;

namespace ConnectedAccounts.Api.Tests;

/// <summary>An instance is written once; what is written is what the serializer context writes.</summary>
public sealed class WrittenOnceConverterTests
{
    [Fact]
    public void A_page_is_written_byte_for_byte_as_the_context_writes_it_the_first_time_and_after()
    {
        var options = new JsonSerializerOptions(AppJsonContext.Default.Options) { Converters = { new WrittenOnceConverter<Report>(AppJsonContext.Default.Report) } };
        var at = new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.FromHours(1));
        var page = new Page<Report>(
            [
                new("rep1", "acc1", "Q4 \"final\" <b>", "{\"chart\":\"bar\"}", true, false, null, "usr1", at, at),
                new("rep2", "acc1", "Zoë", null, false, true, at.AddDays(1), "usr2", at, at.AddDays(1)),
            ],
            "next");
        var expected = JsonSerializer.Serialize(page, AppJsonContext.Default.PageReport);

        Assert.Equal(expected, JsonSerializer.Serialize(page, options));
        Assert.Equal(expected, JsonSerializer.Serialize(page, options));
    }

    [Fact]
    public void The_bytes_belong_to_the_instance_not_to_equal_values()
    {
        var converter = new WrittenOnceConverter<Box>((JsonTypeInfo<Box>)JsonSerializerOptions.Default.GetTypeInfo(typeof(Box)));
        var options = new JsonSerializerOptions { Converters = { converter } };
        var box = new Box { Name = "first" };
        Assert.Equal("{\"Name\":\"first\"}", JsonSerializer.Serialize(box, options));

        // Only ever used for immutable records; a mutable type shows that the instance is the key.
        box.Name = "changed";
        Assert.Equal("{\"Name\":\"first\"}", JsonSerializer.Serialize(box, options));
        Assert.Equal("{\"Name\":\"changed\"}", JsonSerializer.Serialize(new Box { Name = "changed" }, options));
    }

    public sealed class Box
    {
        public string? Name { get; set; }
    }
}
