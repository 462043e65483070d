import Foundation

extension Engine {
    /// Runs one item to its result: a manual item asks for sign-offs, a check runs with retries.
    func execute(_ item: Item, redactor: Redactor, variables: [String: String]) async -> ItemResult {
        var result = baseResult(item)
        result.startedAt = environment.now()
        let start = environment.uptime()
        switch item.body {
        case .manual(let requirement):
            let given = await signoffSource?.signoffs(for: item) ?? []
            judge(&result, signoffs: given, requirement: requirement)
        case .check(_, let check):
            var attempt = 0
            while true {
                attempt += 1
                let outcome = await attemptOnce(item, check: check, redactor: redactor, variables: variables)
                result.facts = outcome.facts
                result.expectations = outcome.expectations
                result.outcome = outcome.outcome
                result.reason = outcome.reason
                result.attempts = attempt
                let retriable = (outcome.outcome == .fail || outcome.outcome == .error) && outcome.retriable
                guard retriable, attempt <= item.retries, !outcome.cancelled, !Task.isCancelled else { break }
                observer?(.retrying(item, attempt: attempt + 1, reason: outcome.reason ?? outcome.outcome.rawValue))
                let delay = item.retryDelay * pow(2, Double(attempt - 1))
                await environment.sleep(delay)
                if Task.isCancelled { break }
            }
        }
        result.duration = environment.uptime() - start
        let masked = Self.maskedFindings(result)
        result.masked = masked.isEmpty ? nil : masked
        return result
    }

    /// An item whose check another item of the run already ran (the same command, the same report):
    /// judged by its own expectations on that run's facts, without running it again.
    func judged(_ item: Item, by ran: ItemResult, redactor: Redactor, variables: [String: String]) -> ItemResult {
        var result = baseResult(item)
        result.startedAt = environment.now()
        result.ranWith = ran.id
        switch ran.outcome {
        case .pass, .warn, .fail:
            let attempt = judge(item, facts: ran.facts, redactor: redactor, variables: variables)
            result.facts = attempt.facts
            result.expectations = attempt.expectations
            result.outcome = attempt.outcome
            // Its own verdict first, as if it had run; then whose run it judged.
            result.reason = (attempt.reason.map { $0 + " " } ?? "") + "(ran once with `\(ran.id)`, the same check)"
        default:
            // It could not be judged there (an error, an interruption): it cannot be judged here either.
            result.facts = ran.facts
            result.outcome = ran.outcome == .error ? .error : .skipped
            result.reason =
                "the same check as `\(ran.id)`, which \(Engine.phrase(ran.outcome))"
                + (ran.reason.map { ": " + $0 } ?? "")
        }
        result.masked = ran.masked
        return result
    }

    /// The credentials masked by their shape anywhere in a result: its reason, facts and explanations.
    static func maskedFindings(_ result: ItemResult) -> [String] {
        var texts = [result.reason ?? ""] + result.expectations.flatMap(\.explanation)
        func collect(_ value: Value) {
            switch value {
            case .string(let text): texts.append(text)
            case .list(let values): values.forEach(collect)
            default: break
            }
        }
        for name in result.facts.keys.sorted() { result.facts[name].map(collect) }
        var seen: Set<String> = []
        return texts.flatMap(Redactor.maskedFindings).filter { seen.insert($0).inserted }
    }

    func judge(_ result: inout ItemResult, signoffs: [Signoff], requirement: SignoffRequirement) {
        let judgement = policy.judge(
            signoffs, against: requirement, environment: options.environment, deployer: options.actor,
            author: options.provenance.author,
            at: environment.now())
        result.signoffs = signoffs
        result.outcome = judgement.satisfied ? .pass : .pending
        result.reason = judgement.reason
    }

    struct Attempt {
        var outcome: Outcome
        var reason: String?
        var facts: Facts
        var expectations: [ExpectationResult]
        var cancelled: Bool
        /// False when another attempt cannot change the outcome (a missing executable).
        var retriable = true
    }

    private enum Race: Sendable {
        case finished(Result<Facts, CheckError>)
        case timedOut
        case sleeperCancelled
    }

    /// One attempt under the item's timeout; the check's task is cancelled (its processes ended)
    /// when the timeout passes, and awaited, so nothing it started outlives the attempt.
    func attemptOnce(_ item: Item, check: any Check, redactor: Redactor, variables: [String: String]) async -> Attempt {
        var made = CheckContext(
            workingDirectory: options.workingDirectory, environment: options.processEnvironment,
            variables: variables, itemID: item.id, timeout: item.timeout, redactor: redactor)
        made.unsetVariables = unsetVariables
        made.history = history
        made.commit = options.provenance.commit
        made.now = environment.now
        let context = made
        let timeout = item.timeout
        let (checkResult, timedOut) = await withTaskGroup(of: Race.self) { group -> (Result<Facts, CheckError>, Bool) in
            group.addTask {
                do throws(CheckError) {
                    return .finished(.success(try await check.run(in: context)))
                } catch {
                    return .finished(.failure(error))
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: .seconds(timeout))
                    return .timedOut
                } catch {
                    return .sleeperCancelled
                }
            }
            var timedOut = false
            var finished: Result<Facts, CheckError> = .failure(CheckError("the check did not finish"))
            while let next = await group.next() {
                switch next {
                case .timedOut:
                    timedOut = true
                    group.cancelAll()
                case .sleeperCancelled:
                    break
                case .finished(let result):
                    finished = result
                    group.cancelAll()
                }
            }
            return (finished, timedOut)
        }

        let cancelled = Task.isCancelled
        switch checkResult {
        case .failure(let error):
            let reason: String
            if timedOut {
                reason = "timed out after \(Value.formatDuration(timeout)); its processes were ended"
            } else if cancelled {
                reason = "interrupted: \(redactor.redact(error.message))"
            } else {
                reason = redactor.redact(error.message)
            }
            return Attempt(
                outcome: .error, reason: reason, facts: redactor.redact(error.facts), expectations: [],
                cancelled: cancelled, retriable: timedOut || error.retriable)
        case .success(let facts) where timedOut || cancelled:
            let reason = timedOut ? "timed out after \(Value.formatDuration(timeout))" : "interrupted"
            return Attempt(
                outcome: .error, reason: reason, facts: redactor.redact(facts), expectations: [], cancelled: cancelled)
        case .success(let facts):
            return judge(item, facts: facts, redactor: redactor, variables: variables)
        }
    }

    /// Applies the item's expectations to the facts a check produced.
    func judge(_ item: Item, facts: Facts, redactor: Redactor, variables: [String: String]) -> Attempt {
        // Expectations may compare with configured values: `json.revision == vars.EXPECTED_REVISION`.
        var visible = facts
        for (name, value) in variables where visible["vars." + name] == nil { visible["vars." + name] = .string(value) }
        let scope = Scope(facts: visible, changedPaths: options.changedPaths)
        var results: [ExpectationResult] = []
        var errors: [String] = []
        var failures: [String] = []
        for expectation in item.effectiveExpectations {
            do {
                let held = try expectation.truth(in: scope)
                let explanation = held ? [] : expectation.explainFailure(in: scope).map(redactor.redact)
                results.append(
                    ExpectationResult(expression: expectation.description, held: held, explanation: explanation))
                if !held { failures += explanation }
            } catch  where error.missingFact != nil {
                // The check ran and answered, without what was expected of it: the wrong shape is a fail.
                let message = redactor.redact(error.message)
                results.append(
                    ExpectationResult(expression: expectation.description, held: false, explanation: [message]))
                failures.append(message)
            } catch {
                let message = redactor.redact(error.message)
                results.append(
                    ExpectationResult(expression: expectation.description, held: nil, explanation: [message]))
                errors.append(message)
            }
        }
        let outcome: Outcome
        let reason: String?
        if !errors.isEmpty {
            outcome = .error
            reason = "expectation could not be evaluated: " + errors.joined(separator: "; ")
        } else if !failures.isEmpty {
            outcome = item.severity == .warn ? .warn : .fail
            reason = failures.joined(separator: "; ")
        } else {
            outcome = .pass
            reason = nil
        }
        return Attempt(
            outcome: outcome, reason: reason, facts: redactor.redact(facts), expectations: results, cancelled: false)
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
