using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>Mirror of <c>struct llama_chat_message</c>: two UTF-8, NUL-terminated strings.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaChatMessage
{
    public byte* role;
    public byte* content;
}
