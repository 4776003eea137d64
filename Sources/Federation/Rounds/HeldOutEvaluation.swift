import Kernels
import Learning

/// Evaluates a global model on held-out users: the task's metrics over fixed batches.
///
/// The users are read once and cut into batches by the task; batches are spread over the threads and
/// their totals added in batch order, so the result does not depend on the thread count.
package final class HeldOutEvaluation<Task: FederatedTask> {
    package let batches: [Task.Model.Batch]
    package let users: Int

    /// The batches of the first `users` users of `population`, about `batchSize` examples each.
    package init(task: Task, population: any Population<Task.User>, users: Int, batchSize: Int) throws(DataError) {
        let used = min(users, population.userCount)
        var loaded: [Task.User] = []
        loaded.reserveCapacity(used)
        for index in 0..<used { loaded.append(try population.user(at: index)) }
        batches = task.evaluationBatches(users: loaded, batchSize: batchSize)
        self.users = used
    }

    /// Evaluates `parameters` with `task`, using `replicas` (one model per thread of `pool`).
    package func evaluate(_ parameters: ParameterSet, task: Task, replicas: [Task.Model], pool: ThreadPool) -> Task.Evaluation {
        precondition(replicas.count >= pool.threadCount, "HeldOutEvaluation: one replica per thread")
        for replica in replicas.prefix(min(pool.threadCount, batches.count)) { replica.parameters.assign(from: parameters) }
        var perBatch = [Task.Evaluation](repeating: Task.Evaluation(), count: batches.count)
        perBatch.withUnsafeMutableBufferPointer { results in
            pool.forEachDynamically(count: batches.count) { item, worker in
                task.evaluate(batches[item], model: replicas[worker], into: &results[item])
            }
        }
        var total = Task.Evaluation()
        for result in perBatch { total.add(result) }
        return total
    }
}
