/// A population whose chosen users carry their included canaries: the training users of an audited run.
///
/// User i is the base population's user i, plus its canary (repeated) when i hosts an included one;
/// like every population it is a pure function of the index, so threads, ranks and resumes see the
/// same users.
package struct CanaryPopulation<Task: CanaryAuditable>: Population {
    package let base: any Population<Task.User>
    package let task: Task
    /// The included canary each host user carries, by user index.
    package let canaryOfUser: [Int: Task.Canary]
    package let repetitions: Int

    package init(base: any Population<Task.User>, task: Task, canaryOfUser: [Int: Task.Canary], repetitions: Int) {
        self.base = base
        self.task = task
        self.canaryOfUser = canaryOfUser
        self.repetitions = repetitions
    }

    package var userCount: Int { base.userCount }
    package var origin: String { base.origin + " with \(canaryOfUser.count) canaries" }

    package func user(at index: Int) throws(DataError) -> Task.User {
        let user = try base.user(at: index)
        guard let canary = canaryOfUser[index] else { return user }
        return task.inserting(canary, repetitions: repetitions, into: user)
    }
}
