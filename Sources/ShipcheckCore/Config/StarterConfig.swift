/// What `shipcheck init` writes: a small, commented configuration that validates and runs.
public enum StarterConfig {
    public static func text(project: String) -> String {
        """
        # Shipcheck configuration: your deployment checklist as code.
        # Run `shipcheck validate` after editing, `shipcheck run` to run the pre-deploy gate.
        version: 1
        project: \(project)

        # Variables, used as ${{ vars.NAME }}; environments may override them.
        vars:
          BASE_URL: http://localhost:8000

        environments:
          staging:
            vars: { BASE_URL: https://staging.example.com }
          production:
            vars: { BASE_URL: https://example.com }

        # People who may sign off manual items.
        roles:
          reviewer: [you@example.com]

        phases:
          pre-deploy:
            sections:
              - title: Code Quality & Testing
                items:
                  - id: tests
                    title: All tests passing
                    # A command; its default expectation is `exit == 0`.
                    run: echo "replace me with your test command, e.g. pytest --junitxml=reports/junit.xml"
                    # parse: { junit: reports/junit.xml }
                    # expect: tests.failed == 0
                    timeout: 15m

                  - id: no-debug-leftovers
                    title: No debug statements left
                    run: "! grep -rn 'breakpoint()' --include='*.py' . "
                    severity: warn   # reported, does not block

                  - id: pr-approved
                    title: PR approved by a reviewer
                    manual: true
                    signoffs: { count: 1, role: reviewer }

              - title: Monitoring
                items:
                  - id: health
                    title: Health endpoint answers healthy
                    run: curl -fsS ${{ vars.BASE_URL }}/health
                    parse: { json: stdout }
                    expect: json.status == "healthy"
                    when: env == "staging" or env == "production"
                    retries: 2
                    retry-delay: 5s

        """
    }
}
