import Kernels

/// Who masks with whom and holds whose shares: the complete graph of SecAgg (Bonawitz et al. 2017),
/// or SecAgg+'s sparse random k-regular graph (Bell et al. 2020, §3: a Harary graph H(n, k) under a
/// random relabelling of the clients), which cuts each client's work from O(n) to O(k) neighbours.
///
/// Clients are numbered 1...n; the graph is public, drawn from the round's public randomness.
package struct MaskingGraph: Sendable, Equatable {
    package let clientCount: Int
    private let adjacency: [[UInt32]]

    /// Every client is every other's neighbour.
    package static func complete(clientCount: Int) -> MaskingGraph {
        let ids = (1...max(clientCount, 1)).map(UInt32.init)
        return MaskingGraph(clientCount: clientCount, adjacency: ids.prefix(clientCount).map { id in ids.prefix(clientCount).filter { $0 != id } })
    }

    /// A random k-regular graph: the clients in a random cyclic order, each joined to the k/2 nearest on
    /// either side (k rounded up to even; the complete graph when k ≥ n − 1).
    package static func harary(clientCount n: Int, degree: Int, stream: inout RandomStream) -> MaskingGraph {
        let half = (degree + 1) / 2
        guard 2 * half < n - 1 else { return complete(clientCount: n) }
        var order = (1...n).map(UInt32.init)
        for index in stride(from: n - 1, to: 0, by: -1) {  // Fisher–Yates on the public stream
            order.swapAt(index, stream.uniformInt(below: index + 1))
        }
        var adjacency = [[UInt32]](repeating: [], count: n)
        for position in 0..<n {
            let id = Int(order[position])
            for step in 1...half {
                adjacency[id - 1].append(order[(position + step) % n])
                adjacency[id - 1].append(order[(position - step + n) % n])
            }
            adjacency[id - 1].sort()
        }
        return MaskingGraph(clientCount: n, adjacency: adjacency)
    }

    /// The neighbours of client `id` (1...n), in increasing order.
    package func neighbours(of id: UInt32) -> [UInt32] { adjacency[Int(id) - 1] }

    /// The largest neighbourhood (k, or n − 1 for the complete graph).
    package var degree: Int { adjacency.map(\.count).max() ?? 0 }
}

/// What every participant of one SecAgg instance agrees on before it starts.
package struct SecureAggregationParameters: Sendable, Equatable {
    /// Binds every key and message to this instance (the training round).
    package var round: UInt64
    package var graph: MaskingGraph
    /// Shares needed to reconstruct a client's secret, out of its neighbours (t in t-of-n).
    package var threshold: Int
    /// Ring elements per input vector.
    package var vectorLength: Int
    /// The ring is Z_2^bits.
    package var bits: Int
    /// Which server the protocol defends against: with `.maliciousServer` (the default) clients sign
    /// their keys and run the consistency check before unmasking.
    package var threatModel: SecureAggregationThreatModel

    /// The agreed parameters; `threshold` must be at least 1 and `bits` in 1...32.
    package init(round: UInt64, graph: MaskingGraph, threshold: Int, vectorLength: Int, bits: Int,
                 threatModel: SecureAggregationThreatModel = .maliciousServer) {
        precondition(threshold >= 1 && (1...32).contains(bits))
        self.round = round
        self.graph = graph
        self.threshold = threshold
        self.vectorLength = vectorLength
        self.bits = bits
        self.threatModel = threatModel
    }

    /// Whether the consistency check can keep a lying server from both secrets of a client whose
    /// shares are all held by honest clients: each neighbourhood's threshold is a strict majority
    /// (2t > k; see `ConsistencyCheck`). Against c colluding clients per neighbourhood, 2t > k + c.
    package var thresholdIsMajority: Bool { 2 * threshold > graph.degree }

    package var clientCount: Int { graph.clientCount }
}
