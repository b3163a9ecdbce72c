var builder = WebApplication.CreateBuilder(args);
builder.AddFunctionsHost();

var app = builder.Build();

app.MapGet("/healthz", () => Results.Ok());
app.MapFunctionsHost();

app.Run();

public partial class Program;
