import Foundation
import Privacy

/// Who has taken part how often, and when last, so that cohort sampling can enforce a
/// `ParticipationSchema`: a user at the cap, or too soon after its last round, is left out of the
/// cohort it was drawn into. Kept by every private run (without a cap it only counts, so the summary can
/// say how often the most active user took part — under device availability, far more than sampling
/// amplification assumes). Goes into the checkpoint, so a resumed run draws the same cohorts.
///
/// Sparse (users who took part only): a cohort of 400 over 300 rounds is 120 000 entries at most,
/// whatever the population.
package struct ParticipationLedger: Sendable, Equatable {
    /// The cap enforced; nil: none, the ledger only counts.
    package let schema: ParticipationSchema?
    private var counts: [Int: Int] = [:]
    private var lastRounds: [Int: Int] = [:]

    package init(schema: ParticipationSchema?) { self.schema = schema }

    /// How often `user` has taken part so far.
    package func count(of user: Int) -> Int { counts[user] ?? 0 }

    /// The users of `drawn` (a cohort as sampled, in order) that the schema lets take part in `round`.
    package func eligible(_ drawn: [Int], round: Int) -> [Int] {
        guard schema != nil else { return drawn }
        return drawn.filter { allows($0, round: round) }
    }

    /// Whether the schema lets `user` take part in `round` (always, without a cap).
    package func allows(_ user: Int, round: Int) -> Bool {
        schema?.allows(round: round, count: counts[user] ?? 0, lastRound: lastRounds[user]) ?? true
    }

    /// Records that `cohort` took part in `round` (every selected user counts, whether it reported or not).
    package mutating func record(_ cohort: [Int], round: Int) {
        for user in cohort {
            counts[user, default: 0] += 1
            lastRounds[user] = round
        }
    }

    /// The largest number of participations of any user so far.
    package var maxCount: Int { counts.values.max() ?? 0 }

    /// Users who took part at least once.
    package var participants: Int { counts.count }
}

extension ParticipationLedger: Codable {
    private enum CodingKeys: String, CodingKey { case schema, users, counts, lastRounds }

    /// Parallel arrays in increasing user order, so the same state always encodes to the same bytes.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let users = counts.keys.sorted()
        try c.encodeIfPresent(schema, forKey: .schema)
        try c.encode(users, forKey: .users)
        try c.encode(users.map { counts[$0]! }, forKey: .counts)
        try c.encode(users.map { lastRounds[$0]! }, forKey: .lastRounds)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decodeIfPresent(ParticipationSchema.self, forKey: .schema)
        let users = try c.decode([Int].self, forKey: .users)
        let counts = try c.decode([Int].self, forKey: .counts), lastRounds = try c.decode([Int].self, forKey: .lastRounds)
        guard counts.count == users.count, lastRounds.count == users.count else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: c, debugDescription: "users, counts and lastRounds differ in length")
        }
        for (index, user) in users.enumerated() {
            self.counts[user] = counts[index]
            self.lastRounds[user] = lastRounds[index]
        }
    }
}
