using System.Diagnostics;

namespace Portal.Tests.Inference.Native;

/// <summary>
/// The managed struct mirrors against llama.h of the pinned version: abi_probe.c is compiled against
/// the header (extracted by `npm ci`'s postinstall / `npm run llama-headers` into .tmp/llama-headers)
/// and prints sizeof/offsetof, which must equal the managed layout.
/// </summary>
public sealed class NativeAbiTests
{
    [Fact]
    public async Task StructMirrors_MatchHeaderSizesAndOffsets()
    {
        var root = NativeTestLibrary.RepositoryRoot;
        var headers = Path.Combine(root, ".tmp", "llama-headers");
        Assert.SkipUnless(
            File.Exists(Path.Combine(headers, "include", "llama.h")),
            $"llama.h is not in {headers}: run `npm ci` (or `npm run llama-headers`) at {root}.");
        Assert.SkipUnless(File.Exists("/usr/bin/cc"), "No C compiler (/usr/bin/cc) to build the ABI probe.");

        var probe = Path.Combine(Path.GetTempPath(), $"portal-abi-probe-{Environment.ProcessId}");
        try
        {
            await Run("/usr/bin/cc", [
                "-I", Path.Combine(headers, "include"), "-I", Path.Combine(headers, "ggml", "include"),
                Path.Combine(root, "Portal.Tests", "Inference", "Native", "abi_probe.c"), "-o", probe]);
            var native = (await Run(probe, []))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => parts[0], parts => long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));

            var managed = ManagedLayout.Read();

            Assert.Equal(native.Keys.Order(), managed.Keys.Order());
            Assert.All(native, entry => Assert.True(
                managed[entry.Key] == entry.Value,
                $"{entry.Key}: header says {entry.Value}, managed mirror has {managed[entry.Key]}"));
        }
        finally
        {
            File.Delete(probe);
        }
    }

    private static async Task<string> Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{file} exited with {process.ExitCode}: {await error}");
        return await output;
    }
}
