namespace ConnectedAccounts.Domain.Common;

/// <summary>Why a domain operation refused. The HTTP layer maps each kind to one problem type.</summary>
public enum ErrorKind
{
    Invalid,
    NotFound,
    Forbidden,
    Conflict,
}

public sealed record DomainError(ErrorKind Kind, string Code, string Detail)
{
    public static DomainError Invalid(string code, string detail) => new(ErrorKind.Invalid, code, detail);

    public static DomainError Forbidden(string code, string detail) => new(ErrorKind.Forbidden, code, detail);

    public static DomainError Conflict(string code, string detail) => new(ErrorKind.Conflict, code, detail);

    public static DomainError NotFound(string code, string detail) => new(ErrorKind.NotFound, code, detail);
}

/// <summary>The outcome of a state change: done, or refused with a reason. Refusals are values, not exceptions.</summary>
public readonly record struct Outcome(DomainError? Error)
{
    public static readonly Outcome Ok = new(null);

    public bool Succeeded => Error is null;

    public static implicit operator Outcome(DomainError error) => new(error);
}
