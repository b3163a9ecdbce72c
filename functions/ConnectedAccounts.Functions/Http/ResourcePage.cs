using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ConnectedAccounts.Functions.Resources;
using Microsoft.AspNetCore.Http.Metadata;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// 200 with a page of resources as they were read from storage. A read of an unchanged row returns the instance
/// parsed before (<see cref="Persistence.ParsedDocuments{T}"/>), so each instance's JSON is made once and repeated
/// after (<see cref="WrittenOnceConverter{T}"/>): listing the same resources again costs a copy per resource, not
/// the formatting of every field. The OpenAPI document describes the response as <see cref="Page{T}"/>, as for
/// <see cref="TypedResults.Ok{TValue}(TValue)"/>.
/// </summary>
public sealed class ResourcePage<T>(Page<T> page, JsonTypeInfo<Page<T>> typeInfo)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<Page<T>>
{
    public Page<T> Value => page;

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        return httpContext.Response.WriteAsJsonAsync(page, typeInfo, contentType: null, httpContext.RequestAborted);
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Page<T>), ["application/json"]));
    }
}

public static class ResourcePage
{
    // The API's serializer context, with the resources that are listed from storage written once per instance.
    private static readonly JsonSerializerOptions Options = new(AppJsonContext.Default.Options)
    {
        Converters =
        {
            new WrittenOnceConverter<Report>(AppJsonContext.Default.Report),
            new WrittenOnceConverter<Item>(AppJsonContext.Default.Item),
        },
    };

    public static ResourcePage<T> Ok<T>(IReadOnlyList<T> items, string? continuationToken) =>
        new(new Page<T>(items, continuationToken), (JsonTypeInfo<Page<T>>)Options.GetTypeInfo(typeof(Page<T>)));
}
