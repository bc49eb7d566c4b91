using System.Reflection;
using System.Reflection.Emit;
using Coordinator.Client;

namespace Coordinator.Tests.ClientLibrary;

/// <summary>
/// The client's session core shares an assembly with Akka, so no analyzer keeps it pure: this test reads the IL of
/// every method of its types (lambdas and closures included) and fails on any member of Akka, a clock, a random
/// source, a thread or a timer. The shell (and the clock it reads) is checked too, as proof that the scan finds what it looks for.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SessionCorePurityTests
{
    private static readonly Type[] CoreTypes =
    [
        typeof(ClientSessionCore), typeof(ClientSessionSettings), typeof(SessionIdentity), typeof(SessionPhase),
        typeof(SessionDeadline), typeof(SessionHealth), typeof(ServerRotation), typeof(WatchTable),
        typeof(LockGrants), typeof(RequestTable), typeof(PendingWrite), typeof(PendingRead), typeof(PendingSubscribe), typeof(ClientOutput),
        typeof(SendToServer), typeof(PublishState), typeof(DeliverEvent), typeof(EndSubscription), typeof(ReportLockLost),
        typeof(Warn), typeof(SettleCall), typeof(CompleteCall<>), typeof(CompleteSignal), typeof(FailCall<>), typeof(FailSignal),
        typeof(CancelCall<>), typeof(SharedHeartbeatCore<>),
    ];

    private static readonly HashSet<string> BannedTypes =
    [
        "System.Random", "System.Diagnostics.Stopwatch", "System.Security.Cryptography.RandomNumberGenerator",
        "System.Threading.Thread", "System.Threading.Timer", "System.Threading.PeriodicTimer", "System.TimeProvider",
    ];

    private static readonly HashSet<string> BannedMembers =
    [
        "System.DateTime.get_Now", "System.DateTime.get_UtcNow", "System.DateTime.get_Today",
        "System.DateTimeOffset.get_Now", "System.DateTimeOffset.get_UtcNow",
        "System.Environment.get_TickCount", "System.Environment.get_TickCount64",
        "System.Threading.Tasks.Task.Delay", "System.Threading.Tasks.Task.Run",
    ];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    [Fact]
    public void The_session_core_uses_no_akka_clock_randomness_thread_or_timer()
    {
        var violations = CoreTypes.SelectMany(WithNested).SelectMany(Violations).ToList();
        Assert.Empty(violations);
    }

    [Fact]
    public void The_scan_finds_the_shell_s_akka_clock_and_random_source()
    {
        var violations = WithNested(typeof(ClientActor)).Concat(WithNested(typeof(ClientClock))).SelectMany(Violations).ToList();
        Assert.Contains(violations, v => v.Contains("Akka."));
        Assert.Contains(violations, v => v.Contains("System.Diagnostics.Stopwatch"));
        Assert.Contains(violations, v => v.Contains("RandomNumberGenerator"));
    }

    private static IEnumerable<Type> WithNested(Type type) =>
        new[] { type }.Concat(type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(WithNested));

    private static IEnumerable<string> Violations(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var field in type.GetFields(all).Where(f => IsBanned(f.FieldType)))
        {
            yield return $"{type}.{field.Name}: {field.FieldType}";
        }
        var methods = type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
        foreach (var method in methods)
        {
            foreach (var used in UsedMembers(method).Where(m => m is Type t ? IsBanned(t) : IsBanned(m)))
            {
                yield return $"{type}.{method.Name} uses {(used is Type t ? t.FullName : $"{used.DeclaringType}.{used.Name}")}";
            }
        }
    }

    private static bool IsBanned(Type type) =>
        (type.Assembly.GetName().Name ?? "").StartsWith("Akka", StringComparison.Ordinal)
        || BannedTypes.Contains(type.FullName ?? "")
        || (type.IsGenericType && type.GetGenericArguments().Any(IsBanned));

    private static bool IsBanned(MemberInfo member) =>
        member.DeclaringType is { } declaring && (IsBanned(declaring) || BannedMembers.Contains($"{declaring.FullName}.{member.Name}"))
        || member is FieldInfo field && IsBanned(field.FieldType)
        || member is MethodInfo method && IsBanned(method.ReturnType);

    /// <summary>Every member a method's IL names (calls, field accesses, object creations, tokens).</summary>
    private static IEnumerable<MemberInfo> UsedMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        var typeArguments = method.DeclaringType is { IsGenericType: true } generic ? generic.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var code = OpCodesByValue[value];
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, at);
                if (method.Module.ResolveMember(token, typeArguments, methodArguments) is { } member)
                {
                    yield return member;
                }
            }
            at += code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
                _ => 4,
            };
        }
    }
}
