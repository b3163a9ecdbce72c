using System.Text.Json;
using ConnectedAccounts.Functions.Hosting;

namespace ConnectedAccounts.Host.Tests;

public sealed class InvocationPayloadTests
{
    private static FunctionInvocationRequest Parse(string json) =>
        JsonSerializer.Deserialize(json, HostingJsonContext.Default.FunctionInvocationRequest)!;

    [Fact]
    public void A_queue_message_string_arrives_encoded_twice_and_is_decoded_once()
    {
        // What the host sends: SerializeObject("{\"id\":1}") inside a serialized payload.
        var request = Parse("""{"Data":{"message":"\"{\\\"id\\\":1}\""},"Metadata":{"DequeueCount":"3","Id":"\"4f1c\"","InsertionTime":"\"2026-11-23T10:00:00+00:00\""}}""");

        var invocation = InvocationPayload.ReadQueueInvocation(request);

        Assert.Equal(new QueueInvocation("""{"id":1}""", 3, "4f1c", new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero)), invocation);
    }

    [Fact]
    public void Metadata_from_older_hosts_with_plain_numbers_and_dates_is_read_too()
    {
        var request = Parse("""{"Data":{"message":"\"hello\""},"Metadata":{"DequeueCount":2,"Id":"abc","InsertionTime":"2026-11-23T10:00:00Z"}}""");

        var invocation = InvocationPayload.ReadQueueInvocation(request);

        Assert.Equal(2, invocation.DequeueCount);
        Assert.Equal("abc", invocation.MessageId);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), invocation.InsertedOn);
    }

    [Fact]
    public void A_message_whose_text_is_itself_a_quoted_string_keeps_its_quotes()
    {
        var request = Parse("""{"Data":{"message":"\"\\\"quoted\\\"\""},"Metadata":{}}""");

        Assert.Equal("\"quoted\"", InvocationPayload.ReadQueueInvocation(request).MessageText);
    }

    [Fact]
    public void Base64_text_is_not_decoded_again_because_the_queue_extension_already_decoded_the_body()
    {
        // host.json says messageEncoding base64: the host decodes the stored body; what reaches us is the original text.
        var request = Parse("""{"Data":{"message":"\"aGVsbG8=\""},"Metadata":{"DequeueCount":"1"}}""");

        Assert.Equal("aGVsbG8=", InvocationPayload.ReadQueueInvocation(request).MessageText);
    }

    [Fact]
    public void A_json_object_message_is_passed_on_as_its_json_text()
    {
        var request = Parse("""{"Data":{"message":{"kind":"email"}},"Metadata":{}}""");

        var invocation = InvocationPayload.ReadQueueInvocation(request);

        Assert.Equal("""{"kind":"email"}""", invocation.MessageText);
        Assert.Equal(1, invocation.DequeueCount);
    }

    [Theory]
    [InlineData("""{"Data":{},"Metadata":{}}""")]
    [InlineData("""{"Metadata":{"DequeueCount":"1"}}""")]
    [InlineData("""{"Data":{"message":42},"Metadata":{}}""")]
    [InlineData("""{"Data":{"message":"\"x\""},"Metadata":{"DequeueCount":"many"}}""")]
    [InlineData("""{"Data":{"message":"\"x\""},"Metadata":{"DequeueCount":"0"}}""")]
    [InlineData("""{"Data":{"message":"\"x\""},"Metadata":{"InsertionTime":"\"yesterday\""}}""")]
    public void Unreadable_queue_payloads_are_refused(string json)
    {
        Assert.Throws<InvalidInvocationException>(() => InvocationPayload.ReadQueueInvocation(Parse(json)));
    }

    [Fact]
    public void A_timer_payload_carries_past_due_and_the_occurrence_being_run()
    {
        var request = Parse("""
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-23T09:00:00+00:00","Next":"2026-11-23T10:00:00+00:00","LastUpdated":"2026-11-23T09:00:00+00:00"},"IsPastDue":true}},"Metadata":{}}
            """);

        var invocation = InvocationPayload.ReadTimerInvocation(request);

        Assert.Equal(new TimerInvocation(true, new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero)), invocation);
    }

    [Fact]
    public void A_timer_payload_without_schedule_status_is_a_first_run()
    {
        var request = Parse("""{"Data":{"timer":"{\"Schedule\":{},\"IsPastDue\":false}"},"Metadata":{}}""");

        Assert.Equal(new TimerInvocation(false, null), InvocationPayload.ReadTimerInvocation(request));
    }

    [Theory]
    [InlineData("""{"Data":{},"Metadata":{}}""")]
    [InlineData("""{"Data":{"timer":"not json"},"Metadata":{}}""")]
    [InlineData("""{"Data":{"timer":null},"Metadata":{}}""")]
    public void Unreadable_timer_payloads_are_refused(string json)
    {
        Assert.Throws<InvalidInvocationException>(() => InvocationPayload.ReadTimerInvocation(Parse(json)));
    }
}
