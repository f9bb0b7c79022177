namespace Portal.Inference.Native;

/// <summary>Turns llama.cpp's status codes and null returns into exceptions, in one place.</summary>
internal static class NativeStatus
{
    /// <summary>Checks <c>llama_decode</c>'s result; returns false when the abort callback stopped it.</summary>
    public static bool CheckDecode(int status) => status switch
    {
        0 => true,
        2 => false,
        _ => throw new LlamaException(DescribeDecode(status)),
    };

    /// <summary>What a failed <c>llama_decode</c> status means, for the person whose answer it ended.</summary>
    public static string DescribeDecode(int status) => status switch
    {
        1 => "llama_decode found no free KV-cache slot for the batch (1): the context is full; use a larger context size or fewer tokens.",
        -1 => "llama_decode rejected the batch as invalid (-1).",
        _ => $"llama_decode failed with status {status}.",
    };

    /// <summary>Throws with llama.cpp's logged reason when a constructor function returned NULL.</summary>
    public static nint CheckCreated(nint pointer, string what, in NativeLog.ErrorCapture capture) =>
        pointer != 0 ? pointer : throw new LlamaException($"llama.cpp could not {what}: {capture.Reason}");
}
