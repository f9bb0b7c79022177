using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Identity;

/// <summary>Tests that read the process's console; nothing else may write to it meanwhile.</summary>
[CollectionDefinition(nameof(ConsoleCapture), DisableParallelization = true)]
public sealed class ConsoleCapture;

[Collection(nameof(ConsoleCapture))]
public sealed partial class GeneratedAdminPasswordTests
{
    private const string Banner = "Portal platform administrator created (shown only once)";

    [Fact]
    public async Task FirstStart_NoConfiguredPassword_PrintsAWorkingPasswordOnceAndNeverAgain()
    {
        var noPassword = new Dictionary<string, string?> { ["Portal:Bootstrap:AdminPassword"] = null };
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string firstOutput;
            await using (var first = new PortalAppFactory(noPassword, dataDirectory: dataDirectory))
            {
                firstOutput = CaptureConsole(first.StartServer);

                var printed = PasswordLine().Match(firstOutput);
                Assert.True(printed.Success, "No generated password on the console.");
                await using var scope = first.Services.CreateAsyncScope();
                var users = scope.ServiceProvider.GetRequiredService<UserManager<LocalAccount>>();
                var admin = await users.FindByEmailAsync(PortalAppFactory.AdminEmail);
                Assert.NotNull(admin);
                Assert.True(await users.CheckPasswordAsync(admin, printed.Groups[1].Value));
                Assert.DoesNotContain(printed.Groups[1].Value, admin.PasswordHash!, StringComparison.Ordinal);
            }

            await using var second = new PortalAppFactory(noPassword, dataDirectory: dataDirectory);
            var secondOutput = CaptureConsole(second.StartServer);

            Assert.Single(BannerPattern().Matches(firstOutput));
            Assert.DoesNotContain(Banner, secondOutput, StringComparison.Ordinal);
        }
        finally
        {
            PortalAppFactory.DeleteDataDirectory(dataDirectory);
        }
    }

    private static string CaptureConsole(Action action)
    {
        var original = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            action();
        }
        finally
        {
            Console.SetOut(original);
        }

        return captured.ToString();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"password: (\S+)")]
    private static partial System.Text.RegularExpressions.Regex PasswordLine();

    [System.Text.RegularExpressions.GeneratedRegex(@"shown only once")]
    private static partial System.Text.RegularExpressions.Regex BannerPattern();
}
