/// Which server the protocol defends against.
///
/// - `semiHonest`: the server follows the protocol and only tries to learn from what it sees
///   (Bonawitz et al. 2017, Fig. 4 without the dashed additions): no signatures, four steps.
/// - `maliciousServer`: the server may also lie — swap the keys it relays, or tell different clients
///   different survivor sets to collect both secrets of one client. Clients sign their advertised keys
///   with a long-term Ed25519 key (a PKI gives everyone the others' verification keys) and, in an
///   extra consistency-check round, the survivor set they were shown; a client reveals nothing unless
///   at least t holders of each neighbour's shares signed the same set (Bonawitz et al. 2017, §4 and
///   Fig. 4 round 3; per neighbourhood for SecAgg+, after Bell et al. 2020). See `ConsistencyCheck`
///   and docs/secure-aggregation.md for what it does and does not cover.
package enum SecureAggregationThreatModel: String, Sendable, Codable, CaseIterable {
    case semiHonest
    case maliciousServer
}
