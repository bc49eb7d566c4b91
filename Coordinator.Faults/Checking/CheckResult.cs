namespace Coordinator.Faults.Checking;

/// <summary>
/// The conclusion of one checker over one history, shared by every checker so a fault run reports them alike.
/// <see cref="SearchStates"/> counts the distinct configurations a search visited (zero for checkers that do not
/// search), which tests bound instead of wall-clock time.
/// </summary>
public sealed record CheckResult(Verdict Verdict, string Explanation, long SearchStates)
{
    public bool IsValid => Verdict == Verdict.Valid;

    public static CheckResult Valid(string explanation, long searchStates = 0) => new(Verdict.Valid, explanation, searchStates);

    public static CheckResult Invalid(string explanation, long searchStates = 0) => new(Verdict.Invalid, explanation, searchStates);

    public static CheckResult TooLarge(string explanation, long searchStates) => new(Verdict.TooLarge, explanation, searchStates);

    public override string ToString() => $"{Verdict}: {Explanation}";
}
