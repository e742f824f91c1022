import Testing

@testable import Promptline

@Suite struct RetryWaitTests {
    private let wait = RetryWait()

    /// A failure under a serving model is bad luck: back in line after 50–150 ms, whatever the record went through.
    @Test func aServingModelsRecordGoesBackInLineAfterAShortJitteredDelay() {
        #expect(wait.delay(.serving, now: .at(100), draw: 0) == .milliseconds(50))
        #expect(wait.delay(.serving, now: .at(100), draw: 0.5) == .milliseconds(100))
        #expect(wait.delay(.serving, now: .at(100), draw: 0.999) < .milliseconds(150))
    }

    /// An open breaker is waited out to the end of its break, spread by up to one requeue delay.
    @Test func anOpenBreakerIsWaitedOutToTheEndOfItsBreak() {
        #expect(wait.delay(.open(until: .at(12)), now: .at(10), draw: 0) == .seconds(2))
        #expect(wait.delay(.open(until: .at(12)), now: .at(10), draw: 0.5) == .milliseconds(2_050))
        // A break that just ended (the breaker goes half-open at the next ask) is no wait at all.
        #expect(wait.delay(.open(until: .at(9)), now: .at(10), draw: 0) == .zero)
    }

    @Test func whileTheProbesAreOutARecordLooksAgainSoon() {
        #expect(wait.delay(.probing, now: .at(10), draw: 0) == .milliseconds(250))
        #expect(wait.delay(.probing, now: .at(10), draw: 0.5) == .milliseconds(375))
    }

    /// An outage with no breaker to open: wait as long again as the model has been failing, from 0.5 s
    /// to 8 s, so the tries double in time as the SDKs' backoff does, driven by the outage's length.
    @Test func aFailingModelIsWaitedOnAsLongAgainAsItHasFailedFromHalfASecondToEight() {
        let delays = [0.1, 1, 3, 20].map { wait.delay(.failing(since: .at(100)), now: .at(100 + $0), draw: 0) }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(3), .seconds(8)])
        // Minus up to a quarter at random.
        #expect(wait.delay(.failing(since: .at(100)), now: .at(104), draw: 0.5) == .milliseconds(3_500))
    }
}
