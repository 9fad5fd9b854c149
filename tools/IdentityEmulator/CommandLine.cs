using System.Globalization;
using IdentityEmulator.Faults;

namespace IdentityEmulator;

/// <summary>A command-line mistake; the message says which argument and what it accepts.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Parses the emulator's command line into <see cref="EmulatorOptions"/>.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: dotnet run --project tools/IdentityEmulator -- [options]

          --tenant <file>          tenant file (default: tenant.sample.json next to the emulator)
          --port <n>               port on 127.0.0.1 (default 5180; 0 picks a free port)
          --https-port <n>         HTTPS port, for Entra's token endpoint (default 5443; 0 picks a free port)
          --https-cert-file <file>  where to write the HTTPS certificate as PEM, for SSL_CERT_FILE
                                   (default: a temporary file, named in the banner)
          --host <address>         address to bind (default 127.0.0.1)
          --allow-remote           allow --host to be a non-loopback address
          --key-file <file>        PEM RSA signing key, created if missing (default: a new key each run)
          --token-lifetime <span>  token lifetime, e.g. 24h, 90m, 600s (default 24h)
          --no-platform-token-cache  a new managed-identity token per request, instead of the platform's
                                   cached one per identity and resource until near expiry
          --replication-delay <span>  how long a new app-role assignment stays out of Graph's lists,
                                   as while Entra replicates a write, e.g. 30s (default 0s)
          --identity-header <v>    the IDENTITY_HEADER secret (default: random each run)
          --faults <file>          JSON fault rules to start with (see docs/identity-emulator.md)
          --env-file <file>        also write the environment variables for a Function app to this file
          --help                   show this text
          --hash-secret            print the tenant file's secretHash for a secret read from standard input
        """;

    public static (EmulatorOptions Options, string? EnvFile, bool Help) Parse(string[] args)
    {
        var options = new EmulatorOptions { ConsoleLogging = true };
        string? envFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            switch (name)
            {
                case "--help" or "-h":
                    return (options, null, true);
                case "--allow-remote":
                    options = options with { AllowRemote = true };
                    break;
                case "--tenant":
                    options = options with { TenantFile = Value(args, ref i) };
                    break;
                case "--port":
                    options = options with { Port = Port(name, Value(args, ref i)) };
                    break;
                case "--https-port":
                    options = options with { HttpsPort = Port(name, Value(args, ref i)) };
                    break;
                case "--https-cert-file":
                    options = options with { HttpsCertificateFile = Value(args, ref i) };
                    break;
                case "--host":
                    options = options with { Host = Value(args, ref i) };
                    break;
                case "--key-file":
                    options = options with { KeyFile = Value(args, ref i) };
                    break;
                case "--no-platform-token-cache":
                    options = options with { PlatformTokenCache = false };
                    break;
                case "--token-lifetime":
                    options = options with { TokenLifetime = Duration(name, Value(args, ref i)) };
                    break;
                case "--replication-delay":
                    options = options with { ReplicationDelay = Duration(name, Value(args, ref i)) };
                    break;
                case "--identity-header":
                    options = options with { IdentityHeader = Value(args, ref i) };
                    break;
                case "--faults":
                    options = options with { Faults = Faults(Value(args, ref i)) };
                    break;
                case "--env-file":
                    envFile = Value(args, ref i);
                    break;
                default:
                    throw new UsageException($"unknown argument '{name}'");
            }
        }

        return (options, envFile, false);
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException($"{args[i]} needs a value");
        }

        return args[++i];
    }

    private static int Port(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new UsageException($"{name} '{text}' is not a port number (0-65535)");

    private static TimeSpan Duration(string name, string text)
    {
        if (text.Length >= 2
            && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n > 0)
        {
            switch (text[^1])
            {
                case 'h': return TimeSpan.FromHours(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 's': return TimeSpan.FromSeconds(n);
            }
        }

        throw new UsageException($"{name} '{text}' is not a duration such as 24h, 90m or 600s");
    }

    private static IReadOnlyList<FaultRule> Faults(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return FaultRules.ReadAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new UsageException($"--faults {path}: {e.Message}");
        }
    }
}
