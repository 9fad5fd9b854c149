namespace IdentityEmulator.Tenant;

/// <summary>The first-party Microsoft Graph service principal as every Entra tenant has it.</summary>
internal static class MicrosoftGraph
{
    public static readonly Guid AppId = new("00000003-0000-0000-c000-000000000000");

    public const string Resource = "https://graph.microsoft.com";

    // The application permissions the emulator's Graph subset enforces, with Microsoft Graph's real app-role ids,
    // so role ids copied from Bicep, scripts or the portal work here unchanged.
    public static readonly AppRole UserReadAll = Role(
        "df021288-bdef-4463-88db-98f22de89214", "User.Read.All", "Read all users' full profiles");

    public static readonly AppRole UserReadWriteAll = Role(
        "741f803b-c850-494e-b5df-cde7c675a1ca", "User.ReadWrite.All", "Read and write all users' full profiles");

    public static readonly AppRole DirectoryReadAll = Role(
        "7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All", "Read directory data");

    public static readonly AppRole DirectoryReadWriteAll = Role(
        "19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Directory.ReadWrite.All", "Read and write directory data");

    public static readonly AppRole ApplicationReadAll = Role(
        "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Application.Read.All", "Read all applications");

    public static readonly AppRole ApplicationReadWriteAll = Role(
        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All", "Read and write all applications");

    public static readonly AppRole AppRoleAssignmentReadWriteAll = Role(
        "06b708a9-e830-4db3-a914-8e69da51d44f",
        "AppRoleAssignment.ReadWrite.All",
        "Manage app permission grants and app role assignments");

    public static IReadOnlyList<AppRole> AppRoles { get; } =
    [
        UserReadAll,
        UserReadWriteAll,
        DirectoryReadAll,
        DirectoryReadWriteAll,
        ApplicationReadAll,
        ApplicationReadWriteAll,
        AppRoleAssignmentReadWriteAll,
    ];

    // Entra accepts Graph under its URI (with or without a trailing slash) and under its appId.
    public static IReadOnlyList<string> ServicePrincipalNames { get; } =
        [Resource, Resource + "/", AppId.ToString(), "https://canary.graph.microsoft.com"];

    private static AppRole Role(string id, string value, string displayName) =>
        new(new Guid(id), value, displayName, displayName, ["Application"], IsEnabled: true);
}
