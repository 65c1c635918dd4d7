using System.Reflection;
using NanoBananaResilience.AI;
using NanoBananaResilience.Testing;
using OpenTelemetry.Metrics;

namespace NanoBananaResilience.Tests.PublicApi;

/// <summary>
/// The public API must not depend on Polly: its types would tie every caller to Polly's major version. These tests
/// walk each shipped assembly's exported types and every type their members show a caller.
/// </summary>
public class PublicSurfaceTests
{
    public static TheoryData<string> ShippedAssemblies => new()
    {
        typeof(INanoBananaClient).Assembly.GetName().Name!,
        typeof(NanoBananaImageGenerator).Assembly.GetName().Name!,
        typeof(NanoBananaMeterProviderBuilderExtensions).Assembly.GetName().Name!,
        typeof(SimulatedGeminiHandler).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void ExportedTypes_EveryVisibleSignature_HasNoPollyType(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);

        var offenders = PublicSurface.Of(assembly)
            .Where(entry => IsPolly(entry.Type))
            .Select(entry => $"{entry.Where}: {entry.Type.FullName}")
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void PublicSurface_ATypeThatShowsPolly_IsFound()
    {
        // The walker itself is tested: a public type with a Polly type in a generic argument of a parameter is caught.
        var found = PublicSurface.OfType(typeof(LeakyExample)).Where(entry => IsPolly(entry.Type)).Select(entry => entry.Where).ToList();

        Assert.Contains(found, where => where.Contains(nameof(LeakyExample.Watch), StringComparison.Ordinal));
        Assert.Contains(found, where => where.Contains(nameof(LeakyExample.State), StringComparison.Ordinal));
    }

    [Fact]
    public void ModelStatus_BreakerState_IsTheLibrarysOwnEnum()
        => Assert.Equal(typeof(ModelBreakerState), typeof(ModelStatus).GetProperty(nameof(ModelStatus.BreakerState))!.PropertyType);

    [Fact]
    public void NanoBananaDiagnostics_PublicConstants_NameNoPollyMeter()
    {
        var constants = typeof(NanoBananaDiagnostics).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToList();

        Assert.DoesNotContain(constants, name => name.Contains("Polly", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["SourceName", "PipelineName", "ProviderName"], constants);
    }

    private static bool IsPolly(Type type)
        => type.Assembly.GetName().Name is { } name && (name == "Polly" || name.StartsWith("Polly.", StringComparison.Ordinal))
            || (type.Namespace?.StartsWith("Polly", StringComparison.Ordinal) ?? false);

#pragma warning disable CA1034, CA1822 // A nested public example type, read only by reflection.
    public sealed class LeakyExample
    {
        public Polly.CircuitBreaker.CircuitState State => Polly.CircuitBreaker.CircuitState.Closed;

        public void Watch(IReadOnlyList<Polly.ResiliencePipeline> pipelines) => _ = pipelines;
    }
#pragma warning restore CA1034, CA1822
}

/// <summary>Every type a caller of an assembly can see: exported types, their bases, interfaces and members' signatures, generic arguments included.</summary>
internal static class PublicSurface
{
    private const BindingFlags Visible = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static IEnumerable<(string Where, Type Type)> Of(Assembly assembly)
        => assembly.GetExportedTypes().SelectMany(OfType);

    public static IEnumerable<(string Where, Type Type)> OfType(Type type)
    {
        var name = type.FullName!;
        IEnumerable<(string, Type)> shown = [(name, type)];
        if (type.BaseType is { } baseType)
        {
            shown = shown.Append(($"{name} base", baseType));
        }

        shown = shown.Concat(type.GetInterfaces().Select(i => ($"{name} interface", i)));
        shown = shown.Concat(type.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints()).Select(c => ($"{name} constraint", c)));

        foreach (var member in type.GetMembers(Visible).Where(IsVisible))
        {
            var where = $"{name}.{member.Name}";
            shown = shown.Concat(member switch
            {
                FieldInfo field => [(where, field.FieldType)],
                PropertyInfo property => [(where, property.PropertyType), .. property.GetIndexParameters().Select(p => (where, p.ParameterType))],
                EventInfo @event => [(where, @event.EventHandlerType!)],
                MethodBase method => Signature(where, method),
                _ => [],
            });
        }

        return shown.SelectMany(entry => Expand(entry.Item2).Select(t => (entry.Item1, t)));
    }

    private static IEnumerable<(string, Type)> Signature(string where, MethodBase method)
    {
        var types = method.GetParameters().Select(p => (where, p.ParameterType));
        if (method is MethodInfo info)
        {
            types = types.Append((where, info.ReturnType));
            if (info.IsGenericMethodDefinition)
            {
                types = types.Concat(info.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints()).Select(c => (where, c)));
            }
        }

        return types;
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        PropertyInfo property => new[] { property.GetMethod, property.SetMethod }.Any(m => m is not null && IsVisible(m)),
        EventInfo @event => @event.AddMethod is { } add && IsVisible(add),
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        Type nested => nested.IsNestedPublic || nested.IsNestedFamily || nested.IsNestedFamORAssem,
        _ => false,
    };

    // A signature shows its element types and generic arguments too: Task<IReadOnlyList<X>> shows X.
    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()!))
            {
                yield return inner;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return inner;
            }
        }
    }
}
