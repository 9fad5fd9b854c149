using FunctionsHostHarness.Rpc;
using Grpc.Core;

namespace FunctionsHostHarness;

/// <summary>
/// FunctionRpc.EventStream, the one call a worker makes: it opens the stream with StartStream and keeps it open for
/// its lifetime. The harness serves one worker, so the first stream that starts is the connection.
/// </summary>
internal sealed class EventStreamService : FunctionRpc.FunctionRpcBase
{
    private readonly TaskCompletionSource<WorkerConnection> _connected =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<WorkerConnection> Connected => _connected.Task;

    public override async Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream,
        IServerStreamWriter<StreamingMessage> responseStream,
        ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken)
            || requestStream.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
        {
            return;
        }

        var connection = new WorkerConnection(responseStream);
        if (_connected.TrySetResult(connection))
        {
            await connection.ReadAsync(requestStream, context.CancellationToken);
        }
    }
}
