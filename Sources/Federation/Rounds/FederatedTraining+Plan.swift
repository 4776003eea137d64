import Learning

extension FederatedTraining {
    /// Round `round`'s plan: the cohort (drawn from the population, or with devices from the clients
    /// available then, in simulated time), each selected client's data and task cost, and its fate.
    func planRound(_ round: Int) throws -> RoundPlan<Task.LocalData> {
        let c = configuration
        if let fleet {
            guard case let .fixedSize(target) = c.sampling, let simulation = c.devices else {
                preconditionFailure("FederatedTraining: devices need a fixed cohort size (the scenario checks)")
            }
            var data: [Task.LocalData] = []
            // A participation cap leaves out of selection the available clients it does not allow.
            let ledger = participation
            let schedule = try RoundSchedule.plan(round: round, openSeconds: simulatedSeconds, target: target,
                                                  simulation: simulation, fleet: fleet, seed: c.seed,
                                                  eligible: { ledger?.allows($0, round: round) ?? true }) { client in
                let local = task.localData(for: try population.user(at: client))
                data.append(local)
                return (taskCost(for: local), local.targetCount)
            }
            // The accountant sees the sampling as done: `selected.count` of `availableCount`.
            return RoundPlan(round: round, cohort: schedule.selected, data: data, costs: schedule.costs, fates: schedule.fates,
                             schedule: schedule, sampling: .fixedSize(schedule.selected.count),
                             populationSize: schedule.availableCount)
        }
        var cohort = c.sampling.cohort(round: round, population: population.userCount, seed: c.seed, order: c.userOrder)
        // A participation cap leaves out the drawn users it does not allow this round.
        if let participation { cohort = participation.eligible(cohort, round: round) }
        let data = try cohort.map { task.localData(for: try population.user(at: $0)) }
        let costs = data.map { taskCost(for: $0) }
        // Without devices every task is costed too, and one over the memory cap is refused.
        return RoundPlan(round: round, cohort: cohort, data: data, costs: costs,
                         fates: costs.map { $0.exceedsMemoryCap ? .droppedForMemory : .reported }, schedule: nil,
                         sampling: c.sampling, populationSize: population.userCount)
    }

    /// The cost of one client's task on `data`, as this run trains and sends it.
    package func taskCost(for data: Task.LocalData) -> ClientTaskCost {
        let bytesUp = secureAggregation.map {
            SecureAggregationRound.maskedInputBytes($0, layout: updateLayout, privacy: privacy?.configuration)
        } ?? updateLayout.count * MemoryLayout<Float>.size
        let model = trainers[0].model
        let (flops, workspace) = task.trainingCost(of: data, batchSize: configuration.client.batchSize, model: model)
        var cost = ClientTaskCost(epochFLOPs: flops, workspaceBytes: workspace, parameterCount: task.modelShape.parameterCount,
                                  space: updateSpace, training: configuration.client, bytesUp: bytesUp)
        cost.memoryCapBytes = configuration.client.memoryLimitBytes
        return cost
    }
}
