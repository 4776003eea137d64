import SecureAggregation

extension SecureAggregationReport {
    /// The clients the server heard from validly at `step` (instead of indexing `survivors` by number).
    package func survivors(at step: SecureAggregationStep) -> Int { survivors[step.rawValue] }
}

extension ClientFate {
    /// The protocol step a client with this fate drops at under secure aggregation (nil: it takes part
    /// to the end). A device that refused its task never joins; one that does not report in time drops
    /// before its masked input, after the key steps that run before training.
    package var secureAggregationDropout: SecureAggregationStep? {
        switch self {
        case .reported: nil
        case .droppedForMemory: .advertiseKeys
        case .late, .droppedForTime, .droppedForAvailability: .maskedInput
        }
    }
}
