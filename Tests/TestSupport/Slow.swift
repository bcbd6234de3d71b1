import Foundation
import Testing

extension Tag {
    /// Long-running vectors and end-to-end runs (seconds each). The full `swift test` runs
    /// them; `PROVERNET_QUICK=1 swift test` skips them, for a quick edit–test loop. Mark such a
    /// test `@Test(.tags(.slow), .disabled(if: Quick.enabled, Quick.reason))`.
    @Tag public static var slow: Self
}

/// Whether this run skips the tests tagged ``Tag/slow`` (`PROVERNET_QUICK=1`).
public enum Quick {
    public static let enabled = ProcessInfo.processInfo.environment["PROVERNET_QUICK"] == "1"
    public static let reason: Comment = "slow: skipped with PROVERNET_QUICK=1"
}
