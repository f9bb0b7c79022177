using Bunit;
using Portal.Tests.Web.Shell;
using Portal.Web.Components.Pages.Admin;

namespace Portal.Tests.Web.Admin;

/// <summary>The upload progress bar: percent, bytes, speed, time left, then validation and the outcome.</summary>
public sealed class UploadProgressTests : BunitTest
{
    private const long Gb = 1L << 30;

    [Fact]
    public void Progress_MidUpload_ShowsPercentSpeedAndTimeLeft()
    {
        var state = new UploadProgressState("llama.gguf", 4 * Gb, Gb, BytesPerSecond: 100L << 20, UploadPhase.Uploading);

        var cut = Render<UploadProgress>(p => p.Add(c => c.State, state));

        // 3 GiB left at 100 MiB/s: 30.72 s, shown rounded up.
        Assert.Equal("25.0% · 1.00 GB of 4.00 GB · 100.0 MB/s · 31 s left", cut.Find(".upload-figures").TextContent);
        Assert.Equal("25", cut.Find(".mud-progress-linear").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void Progress_BeforeSpeedKnown_ShowsNoTimeLeft()
    {
        var cut = Render<UploadProgress>(p => p.Add(c => c.State, new UploadProgressState("m.gguf", 10L << 20, 0, null, UploadPhase.Uploading)));

        Assert.Equal("0.0% · 0 bytes of 10.0 MB", cut.Find(".upload-figures").TextContent);
    }

    [Fact]
    public void Progress_LongUpload_TimeLeftInHoursAndMinutes()
    {
        var state = new UploadProgressState("big.gguf", 100 * Gb, 0, BytesPerSecond: 10L << 20, UploadPhase.Uploading);

        Assert.Equal(TimeSpan.FromSeconds(10240), state.TimeLeft);
        Assert.Equal("2 h 50 min", UploadProgressState.Duration(state.TimeLeft!.Value));
    }

    [Fact]
    public void Progress_Validating_SaysTheFileIsBeingChecked()
    {
        var cut = Render<UploadProgress>(p => p.Add(c => c.State, new UploadProgressState("m.gguf", 2 * Gb, 2 * Gb, 1e8, UploadPhase.Validating)));

        Assert.Equal("2.00 GB received · checking the file and its SHA-256…", cut.Find(".upload-figures").TextContent);
        Assert.Equal("Validating", cut.Find(".upload-progress").GetAttribute("data-phase"));
    }

    [Fact]
    public void Progress_Failed_ShowsTheServersReason()
    {
        const string reason = "The file is not a usable GGUF model (BadMagic): not a GGUF file.";
        var cut = Render<UploadProgress>(p => p.Add(c => c.State, new UploadProgressState("m.gguf", 100, 100, null, UploadPhase.Failed, reason)));

        Assert.Equal(reason, cut.Find(".mud-alert-message").TextContent.Trim());
        Assert.Contains("error", cut.Find(".mud-alert").ClassName ?? "", StringComparison.Ordinal);
        Assert.Equal("Failed", cut.Find(".upload-progress").GetAttribute("data-phase"));
    }
}
