using System.Reflection;
using Google.Protobuf.Reflection;
using FunctionsHostHarness.Rpc;

namespace FunctionApp.WorkerProcess.Tests;

/// <summary>
/// The harness's proto against the one compiled into the worker the app references: a worker upgrade that moves or
/// retypes a field the harness uses fails here, not as a worker that silently misreads a message.
/// </summary>
public sealed class WorkerProtocolDriftTests
{
    [Fact]
    public void HarnessMessages_MatchTheWorkersDescriptors()
    {
        var worker = WorkerDescriptor().MessageTypes;
        var differences = new List<string>();

        foreach (var message in FunctionRpcReflection.Descriptor.MessageTypes)
        {
            Compare(message, worker.SingleOrDefault(m => m.FullName == message.FullName), differences);
        }

        Assert.Empty(differences);
    }

    [Fact]
    public void HarnessService_IsTheOneTheWorkerCalls()
    {
        var service = Assert.Single(FunctionRpcReflection.Descriptor.Services);
        var theirs = WorkerDescriptor().Services.Single(s => s.FullName == service.FullName);

        var method = Assert.Single(service.Methods);
        var other = theirs.FindMethodByName(method.Name);
        Assert.NotNull(other);
        Assert.Equal((other.IsClientStreaming, other.IsServerStreaming), (method.IsClientStreaming, method.IsServerStreaming));
        Assert.Equal((other.InputType.FullName, other.OutputType.FullName), (method.InputType.FullName, method.OutputType.FullName));
    }

    // The worker's generated FunctionRpcReflection is internal; its Descriptor is what the worker serializes with.
    private static FileDescriptor WorkerDescriptor() =>
        (FileDescriptor)Assembly.Load("Microsoft.Azure.Functions.Worker.Grpc")
            .GetType("Microsoft.Azure.Functions.Worker.Grpc.Messages.FunctionRpcReflection", throwOnError: true)!
            .GetProperty("Descriptor", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
            .GetValue(null)!;

    // Nested types included: a map's key and value types live in its nested entry message.
    private static void Compare(MessageDescriptor message, MessageDescriptor? theirs, List<string> differences)
    {
        if (theirs is null)
        {
            differences.Add($"{message.FullName}: not in the worker's proto");
            return;
        }

        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            var other = theirs.FindFieldByNumber(field.FieldNumber) is { } found ? Describe(found) : "missing";
            if (Describe(field) != other)
            {
                differences.Add($"{message.FullName} field {field.FieldNumber}: harness {Describe(field)}, worker {other}");
            }
        }

        foreach (var nested in message.EnumTypes)
        {
            var otherEnum = theirs.EnumTypes.SingleOrDefault(e => e.Name == nested.Name);
            differences.AddRange(nested.Values
                .Where(v => otherEnum?.FindValueByName(v.Name)?.Number != v.Number)
                .Select(v => $"{nested.FullName}.{v.Name} = {v.Number}: not so in the worker's proto"));
        }

        foreach (var nested in message.NestedTypes)
        {
            Compare(nested, theirs.NestedTypes.SingleOrDefault(n => n.Name == nested.Name), differences);
        }
    }

    private static string Describe(FieldDescriptor field) =>
        $"{field.Name} {field.FieldType}{field.FieldType switch
        {
            FieldType.Message => " " + field.MessageType.FullName,
            FieldType.Enum => " " + field.EnumType.FullName,
            _ => "",
        }}{(field.IsRepeated ? " repeated" : "")}{(field.IsMap ? " map" : "")}{(field.RealContainingOneof is { } oneof ? " in " + oneof.Name : "")}";
}
