using TestSupport;

namespace FunctionApp.WorkerProcess.Tests;

/// <summary>
/// One worker process for a test class. Disposing it fails the class if any RpcLog, stdout or stderr line of the
/// worker carried a token or the identity header.
/// </summary>
public abstract class WorkerFixture : IAsyncLifetime
{
    private FunctionAppWorker? _worker;

    public FunctionAppWorker Worker => _worker ?? throw new InvalidOperationException("The worker has not started.");

    public async Task InitializeAsync() => _worker = await FunctionAppWorker.StartAsync(CreateTenant(), (settings, _) => Configure(settings));

    public async Task DisposeAsync()
    {
        if (_worker is null)
        {
            return;
        }

        var leaks = _worker.Leaks();
        await _worker.DisposeAsync();
        Assert.Empty(leaks);
    }

    protected abstract TestTenant CreateTenant();

    protected virtual void Configure(Dictionary<string, string> settings)
    {
    }
}
