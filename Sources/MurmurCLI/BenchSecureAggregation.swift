import Foundation
import Kernels
import SecureAggregation

/// `murmur bench secagg`: what SecAgg and SecAgg+ cost per client and on the server, in CPU seconds and
/// bytes, against the reference of a plain float upload and sum of the same vectors in the same run.
let benchSecureAggregationCommand: Command = {
    var command = Command(
        name: "secagg",
        summary: """
            Per-client and server CPU seconds, wall seconds and bytes per client of one secure-aggregation
            round (real X25519, HKDF, AES-GCM, AES-CTR masks), for each protocol, cohort and vector length;
            expansion is bytes a client sends over a plain float32 upload, and plainSumSeconds the time of
            summing the same cohort's float vectors in the clear. Under the malicious-server model the
            consistency* fields are the extra round's share (bytes, CPU), and, when semihonest runs in the
            same command, overSemiHonest gives client CPU, bytes sent and server CPU as ratios against it.
            """)
    command.signature.options = [
        .init(name: "protocols", valueName: "LIST", help: "secagg, secaggplus", defaultValue: "secagg,secaggplus"),
        .init(name: "cohorts", valueName: "LIST", help: "clients per round", defaultValue: "100,400"),
        .init(name: "lengths", valueName: "LIST", help: "vector lengths", defaultValue: "100000,1000000"),
        .init(name: "bits", valueName: "B", help: "ring bits (1-32)", defaultValue: "32"),
        .init(name: "dropout", valueName: "P", help: "probability a client drops (at a uniformly chosen step)", defaultValue: "0"),
        .init(name: "threads", valueName: "N", help: "threads", defaultValue: "2"),
        .init(name: "neighbours", valueName: "K",
              help: "SecAgg+ neighbours (default: Bell et al. 2020's bound at σ = 40, η = 20, 5% corrupted, 5% dropping)",
              defaultValue: nil),
        .init(name: "threat-models", valueName: "LIST", help: "malicious (signed keys + consistency check), semihonest",
              defaultValue: "semihonest,malicious"),
    ]
    command.action = { arguments, console in
        let name = "bench secagg"
        let protocols = arguments.value("protocols")!.split(separator: ",").map(String.init)
        for kind in protocols where kind != "secagg" && kind != "secaggplus" {
            throw CommandLineError.invalidValue(command: name, option: "--protocols", value: kind, allowed: "secagg, secaggplus")
        }
        let cohorts = try parsePositiveIntegers(arguments.value("cohorts")!, option: "cohorts", command: name, range: 2...10_000)
        let lengths = try parsePositiveIntegers(arguments.value("lengths")!, option: "lengths", command: name, range: 1...100_000_000)
        let bits = try parsePositiveIntegers(arguments.value("bits")!, option: "bits", command: name, range: 1...32)[0]
        let threads = try parsePositiveIntegers(arguments.value("threads")!, option: "threads", command: name, range: 1...64)[0]
        let neighbours = try arguments.value("neighbours").map {
            try parsePositiveIntegers($0, option: "neighbours", command: name, range: 2...100_000)[0]
        }
        let dropout = Double(arguments.value("dropout")!) ?? -1
        guard (0..<1).contains(dropout) else {
            throw CommandLineError.invalidValue(command: name, option: "--dropout", value: arguments.value("dropout")!, allowed: "a probability in [0, 1)")
        }
        var models: [SecureAggregationThreatModel] = []
        for value in arguments.value("threat-models")!.split(separator: ",") {
            switch value {
            case "malicious": models.append(.maliciousServer)
            case "semihonest": models.append(.semiHonest)
            default: throw CommandLineError.invalidValue(command: name, option: "--threat-models", value: String(value),
                                                         allowed: "malicious, semihonest")
            }
        }
        let pool = ThreadPool(threadCount: threads)
        let total = protocols.count * cohorts.count * lengths.count * models.count
        var done = 0
        for kind in protocols {
            for cohort in cohorts {
                for length in lengths {
                    var reference: SecureAggregationReport? = nil
                    for model in models {
                        done += 1  // each configuration takes seconds to a minute: say what is running, on stderr
                        console.writeProgress("bench secagg: \(done)/\(total) \(kind), cohort \(cohort), length \(length), "
                            + "\(model == .semiHonest ? "semihonest" : "malicious")…")
                        let (line, report) = try benchOneRound(plus: kind == "secaggplus", cohort: cohort, length: length, bits: bits,
                                                               dropout: dropout, threatModel: model, neighbours: neighbours,
                                                               reference: reference, pool: pool)
                        if model == .semiHonest { reference = report }
                        console.write("{\"bench\":\"secagg\",\"protocol\":\"\(kind)\"," + line + "}")
                    }
                }
            }
        }
        return 0
    }
    return command
}()

/// One timed round; returns the JSON fields after the protocol name, and the round's report. With a
/// semi-honest `reference` of the same row, a malicious-server line also gives its ratios to it.
private func benchOneRound(plus: Bool, cohort: Int, length: Int, bits: Int, dropout: Double,
                           threatModel: SecureAggregationThreatModel, neighbours: Int?, reference: SecureAggregationReport?,
                           pool: ThreadPool) throws -> (String, SecureAggregationReport) {
    var stream = RandomStream(seed: 2026, keys: [UInt64(cohort), UInt64(length)])
    // SecAgg+: k and t from Bell et al.'s bound (the complete graph where no Harary graph meets it), or a given k.
    let (γ, δ) = (HararyParameters.defaultCorruptionFraction,
                  max(HararyParameters.defaultDropoutFraction, HararyParameters.dropoutFraction(clients: cohort, rate: dropout)))
    let bound = plus && neighbours == nil
        ? SecureAggregationDefaults.secAggPlus(clientCount: cohort, corruption: γ, dropout: δ, threatModel: threatModel) : nil
    let degree = plus ? neighbours ?? bound?.degree ?? cohort - 1 : cohort - 1
    let graph = plus ? MaskingGraph.harary(clientCount: cohort, degree: degree, stream: &stream) : .complete(clientCount: cohort)
    let threshold = bound?.threshold ?? SecureAggregationDefaults.threshold(degree: graph.degree)
    let parameters = SecureAggregationParameters(round: 1, graph: graph, threshold: threshold, vectorLength: length, bits: bits,
                                                 threatModel: threatModel)
    let dropouts: [SecureAggregationStep?] = (0..<cohort).map { _ in
        stream.bernoulli(dropout) ? SecureAggregationStep(rawValue: stream.uniformInt(below: 4)) : nil
    }
    let mask: UInt32 = bits == 32 ? .max : (1 << UInt32(bits)) - 1
    let input = (0..<length).map { _ in stream.nextUInt32() & mask }  // every client sends this vector

    let clock = ContinuousClock(), start = clock.now
    let session = try SecureAggregationSession(parameters: parameters, dropouts: dropouts, pool: pool)
    session.setUp()
    pool.forEachDynamically(count: cohort) { index, _ in
        guard session.isTraining(index) else { return }
        var copy = input
        copy.withUnsafeMutableBufferPointer { session.submit(index, input: $0) }
    }
    let outcome = session.finish()
    let wall = (clock.now - start) / .seconds(1)
    let report = session.report
    let included = session.includedClients.count
    var exact = false
    if case let .success(sum) = outcome {
        exact = sum.indices.allSatisfy { sum[$0] == (input[$0] &* UInt32(truncatingIfNeeded: included)) & mask }
    }

    // The reference: the same cohort's float32 vectors summed in the clear, on the same threads.
    let floats = [Float](repeating: 0.5, count: length)
    let plainStart = clock.now
    let boxes = (0..<pool.threadCount).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: length) }
    for box in boxes { box.initialize(repeating: 0) }
    pool.forEachDynamically(count: cohort) { _, worker in
        let out = boxes[worker]
        floats.withUnsafeBufferPointer { values in for index in 0..<length { out[index] += values[index] } }
    }
    let plainSeconds = (clock.now - plainStart) / .seconds(1)
    for box in boxes { box.deallocate() }

    func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
    func perClient(_ report: SecureAggregationReport, _ values: [Double]) -> Double {
        mean(report.bytesSent.indices.filter { report.bytesSent[$0] > 0 }.map { values[$0] })
    }
    let participants = report.bytesSent.indices.filter { report.bytesSent[$0] > 0 }
    let sent = perClient(report, report.bytesSent.map(Double.init))
    let received = perClient(report, report.bytesReceived.map(Double.init))
    let clientSeconds = perClient(report, report.clientComputeSeconds)
    let maxClientSeconds = participants.map { report.clientComputeSeconds[$0] }.max() ?? 0
    var consistency = ""
    if threatModel == .maliciousServer {
        consistency = ",\"consistencySigners\":\(report.consistencySigners ?? 0)"
            + ",\"consistencyBytesSentPerClient\":\(Int(perClient(report, report.consistencyBytesSent.map(Double.init))))"
            + ",\"consistencyBytesReceivedPerClient\":\(Int(perClient(report, report.consistencyBytesReceived.map(Double.init))))"
            + ",\"consistencyClientSeconds\":\(rounded(perClient(report, report.consistencyClientComputeSeconds), digits: 5))"
            + ",\"consistencyServerSeconds\":\(rounded(report.consistencyServerComputeSeconds, digits: 4))"
        if let reference {
            let referenceSeconds = perClient(reference, reference.clientComputeSeconds)
            let referenceSent = perClient(reference, reference.bytesSent.map(Double.init))
            consistency += ",\"overSemiHonest\":{\"clientSeconds\":\(rounded(clientSeconds / referenceSeconds, digits: 3)),"
                + "\"bytesSent\":\(rounded(sent / referenceSent, digits: 4)),"
                + "\"serverSeconds\":\(rounded(report.serverComputeSeconds / reference.serverComputeSeconds, digits: 3))}"
        }
    }
    let modelName = threatModel == .maliciousServer ? "malicious" : "semihonest"
    let line = "\"threatModel\":\"\(modelName)\",\"cohort\":\(cohort),\"length\":\(length),\"bits\":\(bits),\"neighbours\":\(graph.degree),\"threshold\":\(threshold),"
        + "\"kFrom\":\"\(bound != nil ? "bound" : plus && neighbours != nil ? "option" : "complete")\",\"sigma\":\(HararyParameters.defaultSecurity),"
        + "\"eta\":\(HararyParameters.defaultCorrectness),\"corruption\":\(γ),\"assumedDropout\":\(δ),"
        + "\"dropout\":\(dropout),\"survivors\":\(report.survivors),\"exact\":\(exact),"
        + "\"clientSeconds\":\(rounded(clientSeconds, digits: 4)),\"clientSecondsMax\":\(rounded(maxClientSeconds, digits: 4)),"
        + "\"serverSeconds\":\(rounded(report.serverComputeSeconds, digits: 4)),\"wallSeconds\":\(rounded(wall, digits: 3)),"
        + "\"bytesSentPerClient\":\(Int(sent)),\"bytesReceivedPerClient\":\(Int(received)),"
        + "\"expansion\":\(rounded(sent / Double(4 * length), digits: 3)),\"plainSumSeconds\":\(rounded(plainSeconds, digits: 4))"
        + consistency
    return (line, report)
}
