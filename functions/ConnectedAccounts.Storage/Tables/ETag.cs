namespace ConnectedAccounts.Storage.Tables;

/// <summary>An opaque entity version. <see cref="Any"/> matches every version ("*").</summary>
public readonly record struct ETag(string Value)
{
    public static readonly ETag Any = new("*");

    public bool IsAny => Value == "*";

    public override string ToString() => Value;
}
