using System.Collections.Concurrent;
using FunctionsHostHarness.Rpc;
using Grpc.Core;

namespace FunctionsHostHarness;

/// <summary>
/// The host's end of one worker's event stream. Replies arrive in any order and interleaved with logs, so each request
/// waits for the reply that carries its id (the function id for a load, the invocation id for an invocation).
/// </summary>
internal sealed class WorkerConnection(IServerStreamWriter<StreamingMessage> writer) : IDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly ConcurrentQueue<RpcLog> _logs = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<RpcLog> Logs => [.. _logs];

    /// <summary>Completes when the worker ends the stream or the connection breaks.</summary>
    public Task Closed => _closed.Task;

    public async Task<StreamingMessage> RequestAsync(
        StreamingMessage request, string replyKey, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(replyKey, reply))
        {
            throw new InvalidOperationException($"A request is already waiting for '{replyKey}'.");
        }

        try
        {
            // Read after the reply is registered: a stream closed before then fails it here,
            // one closed later in ReadAsync.
            if (Closed.IsCompleted)
            {
                throw new EndOfStreamException("The worker has closed its event stream.");
            }

            await SendAsync(request, cancellationToken);
            return await reply.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(replyKey, out _);
        }
    }

    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        message.RequestId = string.IsNullOrEmpty(message.RequestId) ? Guid.NewGuid().ToString() : message.RequestId;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await writer.WriteAsync(message, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Reads until the worker closes the stream; every request still waiting then fails.</summary>
    public async Task ReadAsync(IAsyncStreamReader<StreamingMessage> reader, CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.MoveNext(cancellationToken))
            {
                Dispatch(reader.Current);
            }
        }
        catch (Exception e) when (e is IOException or Grpc.Core.RpcException or OperationCanceledException)
        {
            // The worker process went away; the pending requests below say so.
        }
        finally
        {
            _closed.TrySetResult();
            foreach (var reply in _pending.Values)
            {
                reply.TrySetException(
                    new EndOfStreamException("The worker closed its event stream before it replied."));
            }
        }
    }

    public void Dispose() => _writeLock.Dispose();

    private void Dispatch(StreamingMessage message)
    {
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.WorkerInitResponse => ReplyKeys.Init,
            StreamingMessage.ContentOneofCase.FunctionMetadataResponse => ReplyKeys.Metadata,
            StreamingMessage.ContentOneofCase.FunctionLoadResponse =>
                ReplyKeys.Load(message.FunctionLoadResponse.FunctionId),
            StreamingMessage.ContentOneofCase.InvocationResponse =>
                ReplyKeys.Invocation(message.InvocationResponse.InvocationId),
            _ => null,
        };
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
        {
            _logs.Enqueue(message.RpcLog);
        }
        else if (key is not null && _pending.TryGetValue(key, out var reply))
        {
            reply.TrySetResult(message);
        }
    }
}

internal static class ReplyKeys
{
    public const string Init = "init";
    public const string Metadata = "metadata";

    public static string Load(string functionId) => "load:" + functionId;

    public static string Invocation(string invocationId) => "invocation:" + invocationId;
}
