using IdentityEmulator;
using IdentityEmulator.Tenant;

// Exit codes: 0 stopped normally, 2 command-line mistake, 3 unusable configuration (tenant file, key file, address).
// The tenant file's secretHash for a client secret read from standard input, which keeps it off the command line.
if (args is ["--hash-secret"])
{
    var secret = Console.In.ReadLine();
    if (string.IsNullOrEmpty(secret))
    {
        Console.Error.WriteLine(
            "identity-emulator: --hash-secret reads the client secret from standard input; it was empty");
        return 2;
    }

    Console.WriteLine(ClientSecrets.Hash(secret));
    return 0;
}

try
{
    var (options, envFile, help) = CommandLine.Parse(args);
    if (help)
    {
        Console.WriteLine(CommandLine.Usage);
        return 0;
    }

    await using var emulator = await EmulatorApp.StartAsync(options);
    var banner = Banner.Describe(emulator);
    Console.WriteLine(banner.Text);
    if (envFile is not null)
    {
        await File.WriteAllLinesAsync(envFile, banner.Environment.Select(kv => $"{kv.Key}={kv.Value}"));
    }

    await emulator.WaitForShutdownAsync();
    return 0;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"identity-emulator: {e.Message}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}
catch (EmulatorConfigurationException e)
{
    Console.Error.WriteLine($"identity-emulator: {e.Message}");
    return 3;
}
