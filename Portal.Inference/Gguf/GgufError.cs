namespace Portal.Inference.Gguf;

/// <summary>Why a GGUF file was refused; each known parser hazard has its own code.</summary>
public enum GgufError
{
    /// <summary>Shorter than the fixed header (a file of only the magic, for example).</summary>
    FileTooSmall = 1,
    BadMagic,
    UnsupportedVersion,
    TensorCountTooLarge,
    MetadataCountTooLarge,

    /// <summary>The header or tensor infos end before the file says they do.</summary>
    Truncated,
    StringLengthBeyondFile,
    StringTooLong,
    EmptyKey,
    DuplicateKey,
    InvalidUtf8,
    UnknownValueType,
    NestedArray,
    ArrayTooLarge,
    ArrayLengthBeyondFile,

    /// <summary>Metadata and tensor infos run past <see cref="GgufReadLimits.MaxHeaderBytes"/>.</summary>
    HeaderTooLarge,
    InvalidAlignment,
    InvalidTensorName,
    DuplicateTensorName,
    InvalidDimensionCount,
    InvalidDimension,
    UnknownTensorType,
    ElementCountOverflow,
    RowNotBlockAligned,
    TensorOffsetMisaligned,
    TensorOffsetBeyondFile,
    TensorDataBeyondFile,
    TensorsOverlap,
    MissingKey,
    WrongKeyType,
    BlockCountOutOfRange,
    BlockCountMismatch,
    InvalidHyperParameter,
    VocabularyEmpty,
    VocabularyLengthMismatch,

    /// <summary>Two tokens with the same text: llama.cpp's vocabulary loader asserts and aborts the process.</summary>
    DuplicateToken,
    TokenIdOutOfRange,
    MissingTensor,
    TensorShapeMismatch,
}
