using Microsoft.Extensions.DependencyInjection;

namespace FunctionApp.Hosting;

public static class OptionsServiceExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its configuration section (app settings <c>Section__Key</c>) and
    /// validates it at start, so a missing or malformed setting stops the app with a message naming it.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<TOptions>(this IServiceCollection services, string sectionName)
        where TOptions : class
    {
        services.AddOptions<TOptions>()
            .BindConfiguration(sectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }
}
