using Coordinator.Client;

namespace Coordinator.Tests.ClientLibrary;

/// <summary>
/// One hierarchy: every failure a call can throw is a <see cref="CoordinatorException"/> that says whether the
/// operation surely did not happen, so a caller needs one catch clause and one property to decide on a retry.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ExceptionOutcomeTests
{
    [Theory]
    [InlineData(ErrorCode.NoNode)]
    [InlineData(ErrorCode.NodeExists)]
    [InlineData(ErrorCode.BadVersion)]
    [InlineData(ErrorCode.NotEmpty)]
    [InlineData(ErrorCode.InvalidPath)]
    [InlineData(ErrorCode.DataTooLarge)]
    [InlineData(ErrorCode.BadArguments)]
    [InlineData(ErrorCode.LockBusy)]
    [InlineData(ErrorCode.NotLockHolder)]
    [InlineData(ErrorCode.SystemError)]
    public void A_refusal_by_the_state_machine_was_not_applied(ErrorCode code)
    {
        var error = Errors.For(code, "/a");

        Assert.Equal(code, error.Code);
        Assert.Equal(OperationOutcome.NotApplied, error.Outcome);
    }

    [Fact]
    public void An_ended_session_or_a_stale_resend_leaves_the_outcome_unknown()
    {
        Assert.Equal(OperationOutcome.Unknown, Errors.For(ErrorCode.SessionExpired, "/a").Outcome);
        Assert.Equal(OperationOutcome.Unknown, new SessionExpiredException().Outcome);
        Assert.Equal(OperationOutcome.Unknown, Errors.For(ErrorCode.StaleSequence, null).Outcome);
    }

    [Fact]
    public void Connection_loss_is_a_coordinator_exception_with_an_unknown_outcome()
    {
        CoordinatorException error = new ConnectionLossException("no server answered");

        Assert.Equal(ErrorCode.ConnectionLoss, error.Code);
        Assert.Equal(OperationOutcome.Unknown, error.Outcome);
        Assert.Equal("no server answered", error.Message);
    }

    [Theory]
    [InlineData(RejectionReason.TooManyInFlight, OperationOutcome.NotApplied)]
    [InlineData(RejectionReason.RequestTooLarge, OperationOutcome.NotApplied)]
    [InlineData(RejectionReason.UnknownSession, OperationOutcome.NotApplied)]
    [InlineData(RejectionReason.NoQuorum, OperationOutcome.Unknown)]
    public void A_rejection_says_whether_the_leader_may_still_choose_the_write(RejectionReason reason, OperationOutcome outcome)
    {
        CoordinatorException error = new RequestRejectedException(reason, "why");

        Assert.Equal(ErrorCode.RequestRejected, error.Code);
        Assert.Equal(outcome, error.Outcome);
        Assert.Contains(reason.ToString(), error.Message);
    }
}
