using ProtectedApi.Authentication;

namespace ProtectedApi.Endpoints;

/// <summary>The sample's data: fixed orders and products, enough to show reads and a write behind different roles.</summary>
public static class OrdersEndpoints
{
    private static readonly Order[] Orders = [new(1, "Contoso", 3), new(2, "Fabrikam", 1), new(3, "Northwind", 12)];
    private static readonly Product[] Products = [new("P-100", "Widget"), new("P-200", "Gadget")];

    public static IEndpointRouteBuilder MapProtectedApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();

        var api = app.MapGroup("/api");
        api.MapGet("/orders", () => Results.Ok(Orders)).RequireAuthorization(EntraApiAuthenticationExtensions.ReadPolicy);
        api.MapGet("/orders/{id:int}", (int id) => Orders.FirstOrDefault(o => o.Id == id) is { } order
            ? Results.Ok(order)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No order {id}."))
            .RequireAuthorization(EntraApiAuthenticationExtensions.ReadPolicy);
        api.MapGet("/products", () => Results.Ok(Products)).RequireAuthorization(EntraApiAuthenticationExtensions.ReadPolicy);
        api.MapPost("/orders", (Order order) => order.Quantity is < 1 or > 1000
            ? Results.ValidationProblem(new Dictionary<string, string[]> { ["quantity"] = ["quantity must be between 1 and 1000"] })
            : Results.Created($"/api/orders/{order.Id}", order))
            .RequireAuthorization(EntraApiAuthenticationExtensions.WritePolicy);
        return app;
    }

    public sealed record Order(int Id, string Customer, int Quantity);

    public sealed record Product(string Sku, string Name);
}
