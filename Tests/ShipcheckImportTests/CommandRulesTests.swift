import Foundation
import ShipcheckTestSupport
import Testing

@testable import ShipcheckImport

/// The one table of commands a check may never run, tried on the shapes found in real runbooks.
@Suite struct CommandRulesTests {
    typealias Effect = CommandRule.Effect

    static let shapes: [(String, Effect?)] = [
        // Reads and ends: checks.
        ("pytest -q", nil), ("npm test", nil), ("npm ci", nil), ("npm run lint", nil), ("go test ./...", nil),
        ("cargo test", nil), ("make test", nil), ("ruff check .", nil), ("terraform plan", nil),
        ("terraform validate", nil), ("kubectl get pods -n prod", nil), ("kubectl get pods -owide", nil),
        ("kubectl rollout status deployment/api", nil), ("kubectl describe pod api-1", nil),
        ("docker ps", nil), ("docker images", nil), ("docker compose ps", nil), ("helm list -A", nil),
        ("helm status api", nil), ("git status --porcelain", nil), ("git log --oneline -5", nil),
        ("git tag", nil), ("git tag -l 'v*'", nil), ("git diff --stat main", nil),
        ("curl -fsS https://api.internal/health", nil), ("curl -X GET https://api.internal/health", nil),
        ("wget -qO- https://api.internal/health", nil), ("wget --spider https://api.internal", nil),
        ("psql \"$DATABASE_URL\" -tAc 'SELECT 1'", nil), ("psql -c 'select count(*) from users'", nil),
        ("redis-cli ping", nil), ("redis-cli config get maxmemory", nil), ("aws s3 ls", nil),
        ("aws sts get-caller-identity", nil), ("aws ecs describe-services --cluster prod", nil),
        ("gcloud run services describe api", nil), ("ping -c 3 db.internal", nil), ("dig +short api.internal", nil),
        ("openssl s_client -connect api:443", nil), ("grep -rn TODO src", nil), ("jq .version package.json", nil),
        ("df -h", nil), ("tar -tzf backup.tgz", nil), ("ansible-playbook site.yml --check", nil),
        ("sed -n 1,5p config.ini", nil), ("echo ok 2>&1", nil), ("ls > /dev/null", nil),
        ("vault kv get secret/app", nil), ("npm install", nil), ("pip install -r requirements.txt", nil),
        ("pip install -e .", nil), ("heroku pg:info", nil), ("heroku ps", nil), ("minikube image ls", nil),
        ("./scripts/pre-deploy-checks.sh", nil), ("./scripts/check-deployment-status.sh", nil),
        ("sudo -u postgres psql -c 'select 1'", nil),
        // Installs packages, changes add-ons or a local cluster, or runs a script named for a change.
        ("pip install sentry-sdk[fastapi]", .changesState), ("python -m pip install slowapi", .changesState),
        ("npm install -g wrangler", .changesState), ("yarn add lodash", .changesState),
        ("go install github.com/x/y@v1.0.0", .changesState), ("cargo install cargo-audit", .changesState),
        ("poetry add httpx", .changesState), ("heroku buildpacks:add heroku/python", .changesState),
        ("heroku addons:create heroku-redis:mini", .changesState), ("minikube image load api:1.0", .changesState),
        ("kind load docker-image api:1.0", .changesState), ("./scripts/deploy-production.sh", .changesState),
        ("bunx wrangler deploy", .changesState), ("sudo -u postgres ssh db2 pg_ctl promote", .changesState),
        ("node -e \"const p = new PrismaClient(); await p.user.update({})\"", .changesState),
        ("python3 -c \"open('x', 'w').write('1')\"", .changesState), ("python3 -c 'import sys; print(1)'", .unknown),
        ("cd gateway && mvn spring-boot:build-image", .changesState), ("mvn -q package", nil),
        ("./docker-push.sh 1.0.0 myregistry.com", .changesState), ("./docker-build.sh 1.0.0", .changesState),
        ("./scripts/version-manager.sh bump minor", .changesState),
        ("bash scripts/rollback.sh backup-1", .changesState),
        ("bash scripts/deploy-rolling.sh", .changesState),
        ("aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch file://x.json", .changesState),
        ("gcloud run services update-traffic api --to-revisions=api-4=100", .changesState),
        ("docker compose -f docker-compose.dev.yml up -d db", .changesState),
        ("doctl kubernetes cluster create prod", .changesState), ("doctl registry login", .changesState),
        ("argocd app watch prod", .neverEnds), ("fly proxy 5432 -a db", .neverEnds), ("doctl auth init", .prompts),
        ("bash scripts/backup-recovery/list-backups.sh", nil), ("bash scripts/pre-deployment-check.sh", nil),
        ("./scripts/version-manager.sh current", nil), ("gcloud run revisions list --service=api", nil),
        ("aws route53 get-change --id C1", nil), ("doctl kubernetes cluster list", nil), ("argocd app get prod", nil),
        // Never ends.
        ("tail -f /var/log/app.log", .neverEnds), ("kubectl logs -f deploy/api", .neverEnds),
        ("docker logs --follow api", .neverEnds), ("heroku logs --tail", .neverEnds),
        ("kubectl get pods -w", .neverEnds), ("kubectl get pods --watch", .neverEnds),
        ("kubectl port-forward svc/api 8080:80", .neverEnds), ("journalctl -u api -f", .neverEnds),
        ("watch kubectl get pods", .neverEnds), ("npm start", .neverEnds), ("npm run dev", .neverEnds),
        ("python manage.py runserver", .neverEnds), ("python3 -m http.server 8000", .neverEnds),
        ("gunicorn app:app", .neverEnds), ("flask run", .neverEnds), ("ping db.internal", .neverEnds),
        ("jest --watch", .neverEnds), ("aws logs tail /ecs/api --follow", .neverEnds), ("stern api", .neverEnds),
        ("minikube dashboard", .neverEnds), ("top", .neverEnds),
        // Needs a person.
        ("docker exec -it api bash", .prompts), ("kubectl exec -it api-1 -- sh", .prompts),
        ("docker run -it ubuntu", .prompts), ("ssh deploy@prod", .prompts), ("psql", .prompts),
        ("psql \"$DATABASE_URL\"", .prompts), ("mysql -u root", .prompts), ("rails console", .prompts),
        ("python manage.py shell", .prompts), ("docker login", .prompts), ("vim config.yml", .prompts),
        ("python3", .prompts), ("read -p 'Continue?' answer", .prompts),
        // Placeholders: never run until filled.
        ("git revert <hash>", .prompts), ("aws ecr describe-images --registry-id YOUR_ACCOUNT_ID", .prompts),
        ("curl -fsS https://api.example.com/health", .prompts), ("kubectl get pods -n your-namespace", .prompts),
        ("ls ...", .prompts), ("gh pr view XXX", .prompts), ("dig +short api.example.com", .prompts),
        // Changes the world.
        ("git push origin main", .changesState), ("git tag v1.2.3", .changesState),
        ("git checkout main", .changesState), ("git merge develop", .changesState),
        ("kubectl apply -f k8s/", .changesState), ("kubectl rollout undo deployment/api", .changesState),
        ("kubectl scale deploy/api --replicas=3", .changesState), ("kubectl delete pod api-1", .changesState),
        ("kubectl exec api-1 -- ./migrate", .changesState), ("helm upgrade --install api ./chart", .changesState),
        ("helm rollback api 3", .changesState), ("docker build -t app:1.2 .", .changesState),
        ("docker push registry/app:1.2", .changesState), ("docker run --rm -p 80:80 app", .changesState),
        ("docker compose up -d", .changesState), ("docker-compose down", .changesState),
        ("docker buildx build --push -t app .", .changesState), ("terraform apply -auto-approve", .changesState),
        ("terraform destroy", .changesState), ("pulumi up --yes", .changesState),
        ("systemctl restart nginx", .changesState), ("sudo service api reload", .changesState),
        ("pm2 restart all", .changesState), ("npm publish", .changesState), ("cargo publish", .changesState),
        ("gh release create v1.2.3", .changesState), ("gh pr merge 42", .changesState),
        ("heroku releases:rollback", .changesState), ("heroku maintenance:on", .changesState),
        ("alembic upgrade head", .changesState), ("python manage.py migrate", .changesState),
        ("npx prisma migrate deploy", .changesState), ("flask db upgrade", .changesState),
        ("flask --app app db upgrade", .changesState),
        ("flyway migrate", .changesState), ("vercel --prod", .changesState), ("fly deploy", .changesState),
        ("wrangler deploy", .changesState), ("aws ecs update-service --cluster prod --service api", .changesState),
        ("aws s3 cp build/ s3://bucket --recursive", .changesState), ("aws s3 sync dist s3://site", .changesState),
        ("gcloud run deploy api --image gcr.io/p/api", .changesState), ("argocd app sync api", .changesState),
        ("ansible-playbook deploy.yml", .changesState), ("ssh deploy@prod 'sudo systemctl restart api'", .changesState),
        ("scp dump.sql prod:/tmp", .changesState), ("rsync -av dist/ web:/srv", .changesState),
        ("pg_dump -Fc app > backup.dump", .changesState), ("pg_restore -d app backup.dump", .changesState),
        ("psql -c 'DELETE FROM sessions'", .changesState), ("psql -f migrate.sql", .changesState),
        ("redis-cli FLUSHALL", .changesState), ("curl -X POST https://api/deploy", .changesState),
        ("curl -d '{}' https://hooks/notify", .changesState), ("curl -fsS -XDELETE https://api/cache", .changesState),
        ("sed -i 's/1.2/1.3/' version.txt", .changesState), ("perl -pi -e 's/a/b/' f", .changesState),
        ("echo 1.3 > VERSION", .changesState), ("echo done >> deploy.log", .changesState),
        ("rm -rf build", .changesState), ("cp .env.example .env", .changesState), ("mkdir -p releases", .changesState),
        ("chmod +x deploy.sh", .changesState), ("tar -czf backup.tgz data", .changesState),
        ("echo v2 | tee VERSION", .changesState), ("kill -HUP 1234", .changesState),
        ("sudo apt-get install -y jq", .changesState), ("eslint src", nil), ("npx eslint . --max-warnings 0", nil),
        ("rubocop", nil), ("ruff check --no-fix .", nil), ("make deploy", .changesState),
        ("vault kv put secret/app key=value", .changesState), ("crane copy a b", .changesState),
    ]

    /// Default-deny: commands no rule names and the read-only table does not know are not checks.
    static let unknownShapes: [String] = [
        "./scripts/frobnicate.sh", "mytool sync-all", "python3 tasks.py", "node scripts/seed.js", "cargo run",
        "go run ./cmd/server", "terraform state rm aws_instance.web", "git config user.name ci", "heroku config",
        "vault auth enable github", "npm run deploy:assets", "rake db:seed", "bin/rails runner 'User.first.touch'",
        "aws s3api put-bucket-policy --bucket b --policy file://p.json", "supabase db push", "prisma db push",
        "php artisan cache:clear", "kubectl -n prod annotate pod p note=x", "asdf install nodejs 20.1.0",
        "helm plugin install https://github.com/databus23/helm-diff", "rustup toolchain install stable",
        "nvm install 20", "eslint --fix src", "ruff check --fix .", "stylelint '**/*.css' --fix", "rubocop -a",
        "sqlfluff fix models", "swiftlint autocorrect", "golangci-lint run --fix",
    ]

    @Test(arguments: unknownShapes)
    func aCommandNotKnownToOnlyReadIsNotACheck(command: String) {
        let found = CommandAnalysis(commands: [command], notes: []).hazard()
        #expect(found != nil, "\(command) became a check")
        #expect(found?.effect == .unknown || found?.effect == .changesState, "\(command): \(found?.reason ?? "")")
    }

    @Test(arguments: shapes)
    func classifies(command: String, effect: Effect?) {
        let found = CommandAnalysis(commands: [command], notes: []).hazard()
        #expect(found?.effect == effect, "\(command): \(found?.reason ?? "a check")")
    }

    @Test func enoughShapesAreTried() {
        #expect(Self.shapes.count >= 60)
        #expect(Self.shapes.filter { $0.1 == nil }.count >= 30, "and enough that must stay checks")
    }

    @Test func theMostSeriousFindingOfALineIsReported() {
        let line = CommandAnalysis(commands: ["git pull && npm start"], notes: []).hazard()
        #expect(line?.effect == .neverEnds)
        #expect(line?.reason == "`npm start` starts a server in the foreground")
        let steps = CommandAnalysis(commands: ["git checkout main", "git push origin main"], notes: []).hazard()
        #expect(steps?.command == "git push origin main", "the last state change names the step")
    }
}

@Suite struct CurlInChecksTests {
    @Test(arguments: [
        ("curl https://api/health", "curl -f https://api/health"),
        ("curl -s https://api/health | jq .status", "curl -f -s https://api/health | jq .status"),
        ("curl -fsS https://api/health", "curl -fsS https://api/health"),
        ("curl --fail https://api", "curl --fail https://api"),
        ("curl -s -o /dev/null -w '%{http_code}' https://api", "curl -s -o /dev/null -w '%{http_code}' https://api"),
        ("test -n x && curl https://a && curl -f https://b", "test -n x && curl -f https://a && curl -f https://b"),
        ("echo mycurl https://a", "echo mycurl https://a"),
    ])
    func anErrorPageCannotPass(command: String, written: String) {
        #expect(ConfigWriter.curlFailsOnErrorStatus(command) == written)
    }
}

/// Over every document of the development corpus, the seed and the runbooks: no state-changing or
/// never-ending shape (a list kept apart from the classifier's table) is ever imported as a check.
@Suite(.enabled(if: SharedFiles.available, "needs ../shared/ (the seed checklist and corpus), absent in a plain clone"))
struct NoUnsafeChecksInTheCorpusTests {
    static let unsafe = [
        "git push", "git merge", "git checkout", "kubectl apply", "kubectl delete", "kubectl rollout undo",
        "kubectl scale", "terraform apply", "terraform destroy", "helm upgrade", "helm install", "helm rollback",
        "docker push", "docker run", "docker build", "docker compose up", "docker-compose up", "tail -f",
        "logs -f", "--follow", "--watch", "port-forward", "systemctl restart", "systemctl stop", "service restart",
        "sed -i", "rm -rf", "npm start", "npm run dev", "exec -it", "DROP TABLE", "DELETE FROM", "pg_restore",
        "npm publish", "heroku releases:rollback", "vercel --prod", "fly deploy", "wrangler deploy", "pm2 restart",
        "aws s3 cp", "aws s3 sync", "gcloud run deploy", "argocd app sync", "curl -X POST", "curl -X DELETE",
        "pg_dump", "ssh ", "buildpacks:add", "addons:create", "update-traffic", "change-resource-record-sets",
        "docker-push", "docker-build", "cluster create", "registry create", "registry login", "app watch",
        "fly proxy", "up -d", "image load", "version-manager.sh bump", "rollback.sh", "deploy-rolling",
        "auth init",
    ]
    /// Migrations are checks only for an item about the local database ("Migration tested locally").
    static let migrations = [
        "flask db upgrade", "alembic upgrade", "manage.py migrate", "db:migrate", "prisma migrate deploy",
        "flyway migrate", "liquibase update",
    ]

    static var documents: [URL] {
        Corpus.corpusFiles + [Corpus.seed] + Corpus.runbookFiles
    }

    @Test func noUnsafeShapeIsACheck() throws {
        var checked = 0
        for url in Self.documents {
            let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            var walker = DocumentWalker(lines: MarkdownLines(text).lines)
            walker.walk()
            for var item in walker.items {
                Decisions.decide(&item)
                guard item.decision == .check else { continue }
                let local = (item.title + " " + item.description.joined(separator: " ")).lowercased().contains("local")
                for command in item.commands {
                    checked += 1
                    for shape in Self.unsafe where command.contains(shape) {
                        Issue.record("\(url.lastPathComponent):\(item.line): `\(command)` (\(shape)) is a check")
                    }
                    if !local, let shape = Self.migrations.first(where: { command.contains($0) }) {
                        Issue.record(
                            "\(url.lastPathComponent):\(item.line): migration `\(command)` (\(shape)) is a check")
                    }
                    // Default-deny: every simple command of a check is one the read-only table knows
                    // (a local migration aside, which its own guard keeps local).
                    let all = [command] + CommandAnalysis.substitutions(command)
                    for simple in all.flatMap(CommandAnalysis.simpleCommands)
                    where !local && !ReadOnlyCommands.knows(simple) {
                        Issue.record("\(url.lastPathComponent):\(item.line): `\(simple)` is not known to read")
                    }
                }
            }
        }
        #expect(checked > 50, "the corpus holds checks to look at")
    }
}
