namespace ProtectedApi.Endpoints;

public sealed record Product(string Sku, string Name);
