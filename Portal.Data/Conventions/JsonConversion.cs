using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Data.Conventions;

/// <summary>
/// A list of small records (policy rules, policy actions) stored as one JSON array in a text column:
/// the same on every provider, read and written whole. The comparer notices changes inside the list.
/// </summary>
internal static class JsonConversion<T>
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static readonly ValueConverter<List<T>, string> Converter = new(
        list => JsonSerializer.Serialize(list, Options),
        json => JsonSerializer.Deserialize<List<T>>(json, Options) ?? new List<T>());

    public static readonly ValueComparer<List<T>> Comparer = new(
        (left, right) => left == null ? right == null : right != null && left.SequenceEqual(right),
        list => list.Aggregate(0, (hash, item) => HashCode.Combine(hash, item == null ? 0 : item.GetHashCode())),
        list => list.ToList());
}
