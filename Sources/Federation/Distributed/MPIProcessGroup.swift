#if MPI
import CMPI

/// The ranks of `MPI_COMM_WORLD` as a `ProcessGroup` (only in builds with the package trait `MPI`).
///
/// MPI is initialised at `MPI_THREAD_FUNNELED`: the training threads never call MPI, only the thread
/// that runs the rounds. Errors return to the caller (`MPI_ERRORS_RETURN`) and become
/// `DistributedError`s, so the command line can name the failure before it aborts the job. Messages
/// longer than 1 GiB go in pieces, since MPI counts are 32-bit.
package final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    // @unchecked: rank and size are written once; MPI serialises its own calls at FUNNELED.
    package let rank: Int
    package let size: Int
    private static let piece = 1 << 30

    /// Initialises MPI for this process; call once, before any round.
    package init() throws(DistributedError) {
        var provided: Int32 = 0
        try Self.check(MPI_Init_thread(nil, nil, Int32(murmur_mpi_thread_funneled()), &provided), "MPI_Init_thread", rank: -1)
        guard provided >= Int32(murmur_mpi_thread_funneled()) else {
            throw .unsupported("the MPI library gives thread level \(provided); murmur needs MPI_THREAD_FUNNELED")
        }
        MPI_Comm_set_errhandler(murmur_mpi_comm_world(), murmur_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(murmur_mpi_comm_world(), &rank)
        MPI_Comm_size(murmur_mpi_comm_world(), &size)
        (self.rank, self.size) = (Int(rank), Int(size))
    }

    /// Ends MPI for this process after the last round (every rank calls it).
    package func finalise() { MPI_Finalize() }

    /// Ends every rank of the job now, with `code` (after an error on this one, so none waits forever).
    package func abort(code: Int32) -> Never {
        MPI_Abort(murmur_mpi_comm_world(), code)
        fatalError("MPI_Abort returned")
    }

    package func send(_ bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int) throws(DistributedError) {
        var offset = 0
        repeat {
            let count = min(Self.piece, bytes.count - offset)
            try Self.check(MPI_Send(bytes.baseAddress.map { $0 + offset }, Int32(count), murmur_mpi_byte(), Int32(destination),
                                    Int32(tag), murmur_mpi_comm_world()), "MPI_Send to rank \(destination)", rank: rank)
            offset += count
        } while offset < bytes.count
    }

    package func receive(into buffer: UnsafeMutableRawBufferPointer, from source: Int, tag: Int) throws(DistributedError) {
        var offset = 0
        repeat {
            let count = min(Self.piece, buffer.count - offset)
            var status = MPI_Status()
            try Self.check(MPI_Recv(buffer.baseAddress.map { $0 + offset }, Int32(count), murmur_mpi_byte(), Int32(source),
                                    Int32(tag), murmur_mpi_comm_world(), &status), "MPI_Recv from rank \(source)", rank: rank)
            var received: Int32 = 0
            MPI_Get_count(&status, murmur_mpi_byte(), &received)
            guard received == Int32(count) else {
                throw .communication(call: "MPI_Recv from rank \(source)", rank: rank,
                                     message: "\(received) bytes where \(count) were expected")
            }
            offset += count
        } while offset < buffer.count
    }

    package func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws(DistributedError) {
        var offset = 0
        repeat {
            let count = min(Self.piece, buffer.count - offset)
            try Self.check(MPI_Bcast(buffer.baseAddress.map { $0 + offset }, Int32(count), murmur_mpi_byte(), Int32(root),
                                     murmur_mpi_comm_world()), "MPI_Bcast from rank \(root)", rank: rank)
            offset += count
        } while offset < buffer.count
    }

    package func allGather(_ words: [UInt64]) throws(DistributedError) -> [[UInt64]] {
        var mine = words
        let count = words.count
        var all = [UInt64](repeating: 0, count: size * count)
        let code = mine.withUnsafeMutableBufferPointer { mine in
            all.withUnsafeMutableBytes { all in
                MPI_Allgather(mine.baseAddress, Int32(count), murmur_mpi_uint64(), all.baseAddress, Int32(count), murmur_mpi_uint64(),
                              murmur_mpi_comm_world())
            }
        }
        try Self.check(code, "MPI_Allgather", rank: rank)
        return (0..<size).map { Array(all[($0 * count)..<(($0 + 1) * count)]) }
    }

    private static func check(_ code: Int32, _ call: String, rank: Int) throws(DistributedError) {
        guard code != Int32(murmur_mpi_success()) else { return }
        var text = [CChar](repeating: 0, count: Int(murmur_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw .communication(call: call, rank: rank, message: String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
#endif
