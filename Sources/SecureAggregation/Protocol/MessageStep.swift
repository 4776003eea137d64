/// The step a protocol message belongs to, as its envelope header names it: the four steps of
/// `SecureAggregationStep` plus the consistency check that the malicious-server variant inserts
/// between maskedInput and unmasking (Bonawitz et al. 2017, Fig. 4, round 3).
///
/// Kept apart from `SecureAggregationStep`, which callers use to say where a client drops (a client
/// that drops at unmasking sends neither its consistency signature nor its shares), so the four
/// steps' codes on the wire are unchanged and the consistency check takes the next one.
package enum MessageStep: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case advertiseKeys = 0
    case shareKeys = 1
    case maskedInput = 2
    case unmasking = 3
    /// Server → client: the survivor set U3; client → server: its signature over it.
    case consistencyCheck = 4

    /// The message step of one of the four protocol steps.
    package init(_ step: SecureAggregationStep) {
        self.init(rawValue: UInt8(step.rawValue))!
    }

    package var description: String {
        switch self {
        case .advertiseKeys: "advertiseKeys"
        case .shareKeys: "shareKeys"
        case .maskedInput: "maskedInput"
        case .unmasking: "unmasking"
        case .consistencyCheck: "consistencyCheck"
        }
    }
}
