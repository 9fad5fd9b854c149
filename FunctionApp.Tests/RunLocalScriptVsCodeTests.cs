using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using TestSupport;
using static FunctionApp.Tests.RunLocalScript;

namespace FunctionApp.Tests;

/// <summary>
/// .vscode/, as the Azure Functions extension reads it: files VS Code parses (JSON with comments), tasks and settings
/// that point at what exists, and F5's chain (the emulator task runs the run script with --no-func; the func task
/// carries the environment that emulator serves).
/// </summary>
[Collection(nameof(RepositoryRootFiles))]
public sealed class RunLocalScriptVsCodeTests
{
    private const string WorkspaceFolder = "${workspaceFolder}";

    private static readonly JsonDocumentOptions JsonWithComments = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    [Fact]
    public void VsCodeFiles_ParseAsJsonWithComments_AndRecommendAndAttachAsTheFunctionsExtensionDoes()
    {
        using var extensions = Read("extensions.json");
        using var launch = Read("launch.json");
        using var settings = Read("settings.json");
        using var tasks = Read("tasks.json");

        var recommendations = extensions.RootElement.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()!).ToArray();
        Assert.Equal(["ms-azuretools.vscode-azurefunctions", "ms-dotnettools.csharp"], recommendations);
        var attach = Assert.Single(launch.RootElement.GetProperty("configurations").EnumerateArray());
        Assert.Equal(("coreclr", "attach", "${command:azureFunctions.pickProcess}"),
            (attach.GetProperty("type").GetString(), attach.GetProperty("request").GetString(), attach.GetProperty("processId").GetString()));
        Assert.Equal("C#", settings.RootElement.GetProperty("azureFunctions.projectLanguage").GetString());
        Assert.Equal("~4", settings.RootElement.GetProperty("azureFunctions.projectRuntime").GetString());
        Assert.Equal("2.0.0", tasks.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public void Tasks_EveryWorkingDirectoryAndWorkspacePathExists_AndEveryDependencyIsATask()
    {
        using var tasks = Read("tasks.json");
        using var settings = Read("settings.json");
        var all = tasks.RootElement.GetProperty("tasks").EnumerateArray().ToArray();
        var labels = all.Select(Label).ToHashSet(StringComparer.Ordinal);

        foreach (var task in all)
        {
            var cwd = task.GetProperty("options").GetProperty("cwd").GetString()!;
            Assert.True(Directory.Exists(Resolve(cwd)), $"task '{Label(task)}': no directory {cwd}");
            foreach (var arg in Args(task).Where(a => a.Contains(WorkspaceFolder, StringComparison.Ordinal)))
            {
                Assert.True(File.Exists(Resolve(arg)) || Directory.Exists(Resolve(arg)), $"task '{Label(task)}': no {arg}");
            }

            foreach (var dependency in DependsOn(task))
            {
                Assert.Contains(dependency, labels);
            }
        }

        Assert.Contains(settings.RootElement.GetProperty("azureFunctions.preDeployTask").GetString()!, labels);
        // The extension's debugger starts the func task of this type and command, and waits for its problem matcher.
        var func = Assert.Single(all, t => t.GetProperty("type").GetString() == "func");
        Assert.Equal(("host start", "$func-dotnet-watch"), (func.GetProperty("command").GetString(), func.GetProperty("problemMatcher").GetString()));
        Assert.Equal(Path.Combine(Root, "FunctionApp"), Resolve(func.GetProperty("options").GetProperty("cwd").GetString()!));
    }

    [Fact]
    public async Task Settings_ProjectSubpathIsTheFunctionApp_AndDeploySubpathIsWherePublishWritesIt()
    {
        using var settings = Read("settings.json");
        var project = settings.RootElement.GetProperty("azureFunctions.projectSubpath").GetString()!;
        var deploy = settings.RootElement.GetProperty("azureFunctions.deploySubpath").GetString()!;

        Assert.True(File.Exists(Path.Combine(Root, project, "FunctionApp.csproj")), $"no Function app project in {project}");
        // Where 'dotnet publish -c Release' (the preDeployTask) puts the app, as MSBuild evaluates it when publishing:
        // the csproj's linux-x64 runtime identifier is part of the path. The folder exists only after a publish.
        var info = new ProcessStartInfo(Dotnet, ["msbuild", Path.Combine(Root, project, "FunctionApp.csproj"), "-nologo",
            "-getProperty:PublishDir", "-p:Configuration=Release", "-p:_IsPublishing=true"]);
        var msbuild = await ProcessRun.RunAsync(info);
        Assert.True(msbuild.ExitCode == 0, msbuild.Stdout + msbuild.Stderr);
        var publishDir = msbuild.Stdout.Trim().Replace('\\', '/').TrimEnd('/');

        Assert.Equal($"{project}/{publishDir}", deploy);
    }

    [Fact]
    public void FuncTask_CarriesThePortsAndIdentityHeaderTheEmulatorTaskStartsWith()
    {
        var (emulatorTask, funcEnvironment) = EmulatorAndFuncTasks();
        var emulatorEnvironment = Environment(emulatorTask);
        var (port, apiPort) = (emulatorEnvironment["EMULATOR_PORT"], emulatorEnvironment["API_PORT"]);

        Assert.Equal(emulatorEnvironment["IDENTITY_HEADER"], funcEnvironment["IDENTITY_HEADER"]);
        Assert.Equal($"http://127.0.0.1:{port}/msi/token", funcEnvironment["IDENTITY_ENDPOINT"]);
        Assert.Equal($"http://127.0.0.1:{port}/v1.0", funcEnvironment["Graph__BaseUrl"]);
        Assert.Equal($"http://127.0.0.1:{apiPort}/", funcEnvironment["CustomApi__BaseUrl"]);
        Assert.Equal("DefaultAzureCredential", funcEnvironment["Identity__Credential"]);
        Assert.Equal("ManagedIdentityCredential", funcEnvironment["AZURE_TOKEN_CREDENTIALS"]);
    }

    [Fact]
    public async Task EmulatorTask_RunAsVsCodeRunsIt_ServesTheFuncTasksEnvironment()
    {
        var (emulatorTask, funcEnvironment) = EmulatorAndFuncTasks();
        var background = emulatorTask.GetProperty("problemMatcher").GetProperty("background");
        var endsPattern = new Regex(background.GetProperty("endsPattern").GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1));
        // Free ports instead of the fixed ones, in both tasks' environments; no Azurite, which the test does not need.
        var ports = new Dictionary<string, int> { ["EMULATOR_PORT"] = FreePort(), ["EMULATOR_HTTPS_PORT"] = FreePort(), ["API_PORT"] = FreePort() };
        var emulatorEnvironment = Environment(emulatorTask);
        var funcUrls = funcEnvironment.ToDictionary(kv => kv.Key, kv => kv.Value
            .Replace($":{emulatorEnvironment["EMULATOR_PORT"]}/", $":{ports["EMULATOR_PORT"]}/", StringComparison.Ordinal)
            .Replace($":{emulatorEnvironment["API_PORT"]}/", $":{ports["API_PORT"]}/", StringComparison.Ordinal));
        var info = new ProcessStartInfo(Dotnet, [.. Args(emulatorTask).Select(Substitute), "--no-azurite"])
        {
            WorkingDirectory = Resolve(emulatorTask.GetProperty("options").GetProperty("cwd").GetString()!),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Assert.Equal("dotnet", emulatorTask.GetProperty("command").GetString());
        foreach (var (name, value) in emulatorEnvironment)
        {
            info.Environment[name] = ports.TryGetValue(name, out var port) ? port.ToString(CultureInfo.InvariantCulture) : value;
        }

        // VS Code runs the "restore tools" task first.
        await PowerShell.EnsureRestoredAsync();
        var settings = Path.Combine(Root, "local.settings.json");
        var hadSettings = File.Exists(settings);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var output = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line && !endsPattern.IsMatch(line))
            {
                output.Add(line);
            }

            Assert.False(process.HasExited, $"the task ended before its endsPattern:\n{string.Join('\n', output)}\n{(process.HasExited ? await stderr : "")}");

            // What the app does with the func task's environment: a managed-identity token for the sample API, then a call.
            using var http = new HttpClient();
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Get,
                $"{funcUrls["IDENTITY_ENDPOINT"]}?api-version=2019-08-01&resource=api://3a8d2c6f-1e4b-4f9a-8c2d-7b5e9a1f3c64");
            tokenRequest.Headers.Add("X-IDENTITY-HEADER", funcUrls["IDENTITY_HEADER"]);
            using var tokenResponse = await http.SendAsync(tokenRequest);
            Assert.Equal(System.Net.HttpStatusCode.OK, tokenResponse.StatusCode);
            using var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
            using var apiRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(funcUrls["CustomApi__BaseUrl"]), "api/orders"));
            apiRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("access_token").GetString());
            using var apiResponse = await http.SendAsync(apiRequest);
            Assert.Equal(System.Net.HttpStatusCode.OK, apiResponse.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            if (!hadSettings)
            {
                File.Delete(settings);
            }
        }
    }

    private static JsonDocument Read(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, ".vscode", name)), JsonWithComments);

    private static string Substitute(string value) => value.Replace(WorkspaceFolder, Root, StringComparison.Ordinal);

    private static string Resolve(string value) => Path.GetFullPath(Substitute(value));

    // A func task's label, when it has none, is how VS Code names it: "func: <command>".
    private static string Label(JsonElement task) =>
        task.TryGetProperty("label", out var label) ? label.GetString()! : $"func: {task.GetProperty("command").GetString()}";

    private static IEnumerable<string> Args(JsonElement task) =>
        task.TryGetProperty("args", out var args) ? args.EnumerateArray().Select(a => a.GetString()!) : [];

    private static IEnumerable<string> DependsOn(JsonElement task) =>
        !task.TryGetProperty("dependsOn", out var dependsOn) ? []
        : dependsOn.ValueKind == JsonValueKind.String ? [dependsOn.GetString()!]
        : dependsOn.EnumerateArray().Select(d => d.GetString()!);

    private static Dictionary<string, string> Environment(JsonElement task) =>
        task.GetProperty("options").GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    // The background task that runs the run script, and the environment of the func task that depends on it.
    private static (JsonElement EmulatorTask, Dictionary<string, string> FuncEnvironment) EmulatorAndFuncTasks()
    {
        var all = Read("tasks.json").RootElement.GetProperty("tasks").EnumerateArray().ToArray();
        var emulator = Assert.Single(all, t => Args(t).Any(a => a.EndsWith("/scripts/run-local.ps1", StringComparison.Ordinal)));
        Assert.Contains("--no-func", Args(emulator));
        Assert.True(emulator.GetProperty("isBackground").GetBoolean());
        var func = Assert.Single(all, t => t.GetProperty("type").GetString() == "func");
        Assert.Contains(Label(emulator), DependsOn(func));
        return (emulator, Environment(func));
    }
}
