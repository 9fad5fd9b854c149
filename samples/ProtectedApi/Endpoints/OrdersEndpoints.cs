using ProtectedApi.Authentication;

namespace ProtectedApi.Endpoints;

/// <summary>
/// The sample's data: fixed orders and products, enough to show reads and a write behind different roles.
/// </summary>
public static class OrdersEndpoints
{
    private static readonly Order[] Orders = [new(1, "Contoso", 3), new(2, "Fabrikam", 1), new(3, "Northwind", 12)];
    private static readonly Product[] Products = [new("P-100", "Widget"), new("P-200", "Gadget")];

    public static IEndpointRouteBuilder MapProtectedApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Ok(new { status = "ok" }))
            .AllowAnonymous();

        var api = app.MapGroup("/api");
        api.MapGet("/orders", () => Results.Ok(Orders))
            .RequireAuthorization(EntraApiAuthenticationExtensions.ReadPolicy);
        api.MapGet("/orders/{id:int}", GetOrder)
            .RequireAuthorization(EntraApiAuthenticationExtensions.ReadPolicy);
        api.MapGet("/products", () => Results.Ok(Products))
            .RequireAuthorization(EntraApiAuthenticationExtensions.ReadPolicy);
        api.MapPost("/orders", CreateOrder)
            .RequireAuthorization(EntraApiAuthenticationExtensions.WritePolicy);
        return app;
    }

    private static IResult GetOrder(int id)
    {
        if (Orders.FirstOrDefault(o => o.Id == id) is { } order)
        {
            return Results.Ok(order);
        }

        return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No order {id}.");
    }

    // Nothing is stored: the sample shows that a write needs the write role, not how to keep orders.
    private static IResult CreateOrder(Order order)
    {
        if (order.Quantity is < 1 or > 1000)
        {
            var errors = new Dictionary<string, string[]> { ["quantity"] = ["quantity must be between 1 and 1000"] };
            return Results.ValidationProblem(errors);
        }

        return Results.Created($"/api/orders/{order.Id}", order);
    }
}
