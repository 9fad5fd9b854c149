using ProtectedApi;

ProtectedApiApplication.Create(args).Run();
