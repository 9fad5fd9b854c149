using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.Versioning;
using TestSupport;

namespace FunctionApp.Tests;

/// <summary>How a user starts the run script: the bash launcher, or PowerShell 7 from the tool manifest on any OS.</summary>
internal enum Launcher
{
    Bash,
    PowerShell,
}

/// <summary>
/// Runs scripts/run-local.sh or scripts/run-local.ps1 as a user runs them. Core Tools cannot be installed here, so a
/// stand-in 'func' on PATH records what the real one would receive: the script's contract ends where func starts.
/// </summary>
internal static class RunLocalScript
{
    public static string Root => Repository.Root;

    public static string PowerShellScript => Path.Combine(Root, "scripts", "run-local.ps1");

    /// <summary>The dotnet host's own directory (through the /usr/bin symlink), a PATH on which there is no func.</summary>
    public static string DotnetDirectory { get; } = Path.GetDirectoryName(FindDotnet())!;

    public static string Dotnet { get; } = FindDotnet();

    public static async Task<ProcessRun> RunAsync(
        Launcher launcher,
        string path,
        IReadOnlyDictionary<string, string> environment,
        params string[] args)
    {
        // The bash launcher restores the tool itself; 'dotnet pwsh' alone needs it restored.
        if (launcher == Launcher.PowerShell)
        {
            await PowerShell.EnsureRestoredAsync();
        }

        var info = launcher == Launcher.Bash
            ? new ProcessStartInfo("bash") { ArgumentList = { Path.Combine(Root, "scripts", "run-local.sh") } }
            : new ProcessStartInfo(Dotnet) { ArgumentList = { "pwsh", "-NoLogo", "-NoProfile", "-File", PowerShellScript } };
        // 'dotnet pwsh' finds the tool manifest from here.
        info.WorkingDirectory = Root;
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PATH"] = path;
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return await ProcessRun.RunAsync(info, TimeSpan.FromMinutes(3));
    }

    /// <summary>
    /// Runs the script with free ports, --no-azurite and <paramref name="args"/>, and a stand-in func that runs the
    /// bash <paramref name="body"/> and exits 7; returns what the body printed and the ports it ran with. Deletes the
    /// local.settings.json the script creates when there was none.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    public static async Task<FakeFuncRun> RunWithFakeFuncAsync(Launcher launcher, string body, params string[] args)
    {
        var bin = Directory.CreateTempSubdirectory("fake-func-");
        var record = Path.Combine(bin.FullName, "record.txt");
        var settings = Path.Combine(Root, "local.settings.json");
        var hadSettings = File.Exists(settings);
        var func = Path.Combine(bin.FullName, "func");
        await File.WriteAllTextAsync(func, $"#!/usr/bin/env bash\n{{\n{body}\n}} > \"$FAKE_FUNC_RECORD\"\nexit 7\n".Replace("\r\n", "\n", StringComparison.Ordinal));
        File.SetUnixFileMode(func, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (port, apiPort) = (FreePort(), FreePort());
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync(launcher, $"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}", new Dictionary<string, string>
            {
                ["FAKE_FUNC_RECORD"] = record,
                ["EMULATOR_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["EMULATOR_HTTPS_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["API_PORT"] = apiPort.ToString(CultureInfo.InvariantCulture),
            }, ["--no-azurite", .. args]);

            Assert.True(exitCode == 7, $"exit {exitCode}\n{stdout}\n{stderr}");
            Assert.True(File.Exists(settings), "the script creates local.settings.json from the sample");
            return new FakeFuncRun(await File.ReadAllLinesAsync(record), port, apiPort, stdout);
        }
        finally
        {
            bin.Delete(recursive: true);
            if (!hadSettings)
            {
                File.Delete(settings);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string FindDotnet()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("dotnet is not on PATH");
        return new FileInfo(found).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? found;
    }
}

internal sealed record FakeFuncRun(string[] Lines, int EmulatorPort, int ApiPort, string Stdout);

/// <summary>The stand-in func (and the bash launcher) are bash scripts: on Windows these tests are reported as skipped, not passed.</summary>
internal sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "needs bash: the stand-in func is a bash script";
        }
    }
}
