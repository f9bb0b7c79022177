using System.Runtime.CompilerServices;

// Structs mirror C layouts byte for byte (C bool = 1 byte); marshalling is source-generated only.
[assembly: DisableRuntimeMarshalling]
