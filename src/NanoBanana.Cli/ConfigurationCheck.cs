using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using NanoBananaResilience;

namespace NanoBanana.Cli;

/// <summary>
/// Reads every value under <c>NanoBanana</c> the way the options binder will, before it does: a value that does not
/// parse is named with its key, its value and the form that works, instead of surfacing as the binder's exception.
/// Durations must be written <c>hh:mm:ss</c>: a bare number such as <c>300</c> would otherwise be read as days.
/// Keys the options do not have are left alone, as the binder leaves them.
/// </summary>
internal static class ConfigurationCheck
{
    public static void Validate(IConfiguration configuration)
    {
        var problems = new List<string>();
        Check(configuration.GetSection(NanoBananaOptions.SectionName), typeof(NanoBananaOptions), problems);
        if (problems.Count > 0)
        {
            throw new ConfigurationException("The configuration has values that do not parse:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }
    }

    private static void Check(IConfigurationSection section, Type type, List<string> problems)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is not null)
            {
                CheckValue(child, property.PropertyType, problems);
            }
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (section.Value is { } value)
        {
            if (Problem(value, type) is { } expected)
            {
                problems.Add($"{section.Path} = '{value}': {expected}");
            }
        }
        else if (ItemType(type) is { } item)
        {
            foreach (var element in section.GetChildren())
            {
                CheckValue(element, item, problems);
            }
        }
        else if (type.IsClass && type != typeof(string))
        {
            Check(section, type, problems);
        }
    }

    /// <summary>What a value of <paramref name="type"/> looks like, when <paramref name="value"/> is not one; else null.</summary>
    private static string? Problem(string value, Type type)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (type == typeof(TimeSpan))
        {
            return value.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(value, invariant, out _) ? null
                : double.TryParse(value, NumberStyles.Float, invariant, out _)
                    ? "a bare number is not a duration (it would be read as days); write hh:mm:ss, such as 00:05:00 for five minutes."
                    : "not a duration; write hh:mm:ss, such as 00:00:30 for thirty seconds.";
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(value, out _) ? null : "not true or false.";
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return long.TryParse(value, NumberStyles.Integer, invariant, out _) ? null : "not a whole number, such as 3.";
        }

        if (type == typeof(double) || type == typeof(decimal))
        {
            return decimal.TryParse(value, NumberStyles.Float, invariant, out _) ? null : "not a number, such as 0.5 (with a dot).";
        }

        if (type.IsEnum)
        {
            return Enum.GetNames(type).Contains(value, StringComparer.OrdinalIgnoreCase) ? null : $"not one of {string.Join(", ", Enum.GetNames(type))}.";
        }

        if (type == typeof(Uri))
        {
            return Uri.TryCreate(value, UriKind.Absolute, out _) ? null : "not an absolute address, such as https://openrouter.ai/api/v1/.";
        }

        return null;
    }

    /// <summary>The element type of a list, or the value type of a dictionary keyed by string.</summary>
    private static Type? ItemType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var generic = type.IsGenericType ? type : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType);
        return generic?.GetGenericArguments()[^1];
    }
}
