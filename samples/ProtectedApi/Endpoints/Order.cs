namespace ProtectedApi.Endpoints;

public sealed record Order(int Id, string Customer, int Quantity);
