using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Portal.Inference.Native;

/// <summary>
/// Routes llama.cpp's and ggml's log into <see cref="ILogger"/>, and keeps the error lines of the
/// current thread while a capture is open: llama.cpp says why a load failed only in its log.
/// </summary>
internal static unsafe partial class NativeLog
{
    private const int GGML_LOG_LEVEL_DEBUG = 1;
    private const int GGML_LOG_LEVEL_INFO = 2;
    private const int GGML_LOG_LEVEL_WARN = 3;
    private const int GGML_LOG_LEVEL_ERROR = 4;
    private const int GGML_LOG_LEVEL_CONT = 5;

    private static volatile ILogger logger = NullLogger.Instance;

    // llama.cpp writes one line in several calls (GGML_LOG_LEVEL_CONT): assembled per thread.
    [ThreadStatic] private static StringBuilder? pendingLine;
    [ThreadStatic] private static int pendingLevel;
    [ThreadStatic] private static List<string>? capturedErrors;
    [ThreadStatic] private static Func<bool>? abortRequested;

    /// <summary>Routes the log to <paramref name="loggerFactory"/>; the latest host to load a model wins (the process has one log).</summary>
    public static void Attach(ILoggerFactory loggerFactory)
    {
        logger = loggerFactory.CreateLogger("Portal.Inference.LlamaCpp");
        LlamaNative.llama_log_set(&OnLog, null);
    }

    /// <summary>
    /// While the returned scope lasts, this thread's native errors and warnings are logged at debug
    /// level once <paramref name="isAbortRequested"/> says true: an abort we asked for is no failure.
    /// </summary>
    public static AbortScope ExpectAbortWhen(Func<bool> isAbortRequested) => new(isAbortRequested);

    /// <summary>Collects error and warning lines logged on this thread until the returned scope ends.</summary>
    public static ErrorCapture CaptureErrors() => new();

    [UnmanagedCallersOnly]
    private static void OnLog(int level, byte* text, void* userData)
    {
        // An exception must not cross back into native code: it would end the process.
        try
        {
            Log(level, text);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or IOException)
        {
        }
    }

    private static void Log(int level, byte* text)
    {
        var piece = Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;
        var line = pendingLine ??= new StringBuilder();
        if (level != GGML_LOG_LEVEL_CONT)
        {
            pendingLevel = level;
        }

        line.Append(piece);
        if (!piece.EndsWith('\n'))
        {
            return;
        }

        var message = line.ToString().TrimEnd();
        line.Clear();
        if (message.Length == 0)
        {
            return;
        }

        if (pendingLevel >= GGML_LOG_LEVEL_WARN)
        {
            capturedErrors?.Add(message);
        }

        var effective = pendingLevel >= GGML_LOG_LEVEL_WARN && (abortRequested?.Invoke() == true || IsUnifiedCacheNotice(message))
            ? GGML_LOG_LEVEL_INFO
            : pendingLevel;
        switch (effective)
        {
            case GGML_LOG_LEVEL_ERROR: LogError(logger, message); break;
            case GGML_LOG_LEVEL_WARN: LogWarning(logger, message); break;
            case GGML_LOG_LEVEL_INFO: LogInfo(logger, message); break;
            case GGML_LOG_LEVEL_DEBUG: LogTrace(logger, message); break;
            default: LogInfo(logger, message); break;
        }
    }

    /// <summary>
    /// With one KV cache shared by all slots llama.cpp compares the whole cache with the training
    /// context and warns at every load; the engine warns per conversation instead (ModelLoader).
    /// </summary>
    private static bool IsUnifiedCacheNotice(string message) =>
        message.Contains("n_ctx_seq", StringComparison.Ordinal) && message.Contains("possible training context overflow", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Error, Message = "{NativeMessage}")]
    private static partial void LogError(ILogger logger, string nativeMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{NativeMessage}")]
    private static partial void LogWarning(ILogger logger, string nativeMessage);

    // llama.cpp's info level is a chatty dump of model metadata: debug for us.
    [LoggerMessage(Level = LogLevel.Debug, Message = "{NativeMessage}")]
    private static partial void LogInfo(ILogger logger, string nativeMessage);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{NativeMessage}")]
    private static partial void LogTrace(ILogger logger, string nativeMessage);

    /// <summary>The scope of <see cref="ExpectAbortWhen"/>.</summary>
    public readonly struct AbortScope : IDisposable
    {
        public AbortScope(Func<bool> isAbortRequested) => abortRequested = isAbortRequested;

        public void Dispose() => abortRequested = null;
    }

    /// <summary>A scope collecting this thread's native error lines; not nestable.</summary>
    public readonly struct ErrorCapture : IDisposable
    {
        private readonly List<string> lines;

        public ErrorCapture() => capturedErrors = lines = [];

        /// <summary>The captured lines joined, or a stock text when llama.cpp said nothing.</summary>
        public string Reason => lines is { Count: > 0 }
            ? string.Join(" ", lines)
            : "llama.cpp gave no reason (see its log at debug level)";

        public void Dispose() => capturedErrors = null;
    }
}
