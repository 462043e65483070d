import Foundation
import Testing

/// `--identity oidc` against a local OpenID Connect issuer on loopback that publishes its keys: a
/// good token names the actor from its claims; an expired one, one for another audience, one from
/// another issuer and one signed by a key the issuer does not publish are refused, and nothing runs.
@Suite struct OIDCIdentityCLITests {
    /// The issuer: RSA keys made by `cryptography`, a discovery document, a JWKS, and tokens it
    /// writes into the directory it is given (the good one, and four that must be refused).
    static let issuer = #"""
        import base64, http.server, json, os, sys, time
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
        out = sys.argv[1]
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
        issuer = "http://127.0.0.1:%d" % server.server_address[1]
        def b64(data): return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        def number(value, size): return b64(value.to_bytes(size, "big"))
        key, other = rsa.generate_private_key(65537, 2048), rsa.generate_private_key(65537, 2048)
        ec_key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key().public_numbers()
        point = ec_key.public_key().public_numbers()
        jwks = {"keys": [
            {"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig", "n": number(public.n, 256), "e": number(public.e, 3)},
            {"kty": "EC", "kid": "k2", "crv": "P-256", "x": number(point.x, 32), "y": number(point.y, 32)}]}
        def token(claims, signer=key, kid="k1", alg="RS256"):
            head = b64(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
            body = b64(json.dumps(claims).encode())
            data = (head + "." + body).encode()
            if alg == "ES256":
                r, s = decode_dss_signature(signer.sign(data, ec.ECDSA(hashes.SHA256())))
                signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
            else:
                signature = signer.sign(data, padding.PKCS1v15(), hashes.SHA256())
            return head + "." + body + "." + b64(signature)
        now = int(time.time())
        claims = {"iss": issuer, "aud": "shipcheck", "sub": "repo:mina/app:ref:refs/heads/main", "exp": now + 600,
                  "iat": now, "nbf": now - 5, "repository": "mina/app", "workflow_ref": "mina/app/.github/workflows/deploy.yml@refs/heads/main",
                  "ref": "refs/heads/main", "run_id": "4242"}
        tokens = {"good": token(claims), "good-es256": token(claims, ec_key, "k2", "ES256"),
                  "expired": token(dict(claims, exp=now - 3600)),
                  "wrong-audience": token(dict(claims, aud="someone-else")),
                  "wrong-issuer": token(dict(claims, iss="https://token.actions.githubusercontent.com")),
                  "wrongly-signed": token(claims, other), "unsigned": token(claims, alg="none").rsplit(".", 1)[0] + "."}
        for name, value in tokens.items():
            open(os.path.join(out, name + ".jwt"), "w").write(value)
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                documents = {"/.well-known/openid-configuration": {"issuer": issuer, "jwks_uri": issuer + "/jwks"},
                             "/jwks": jwks}
                document = documents.get(self.path)
                body = json.dumps(document or {}).encode()
                self.send_response(200 if document else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args): pass
        server.RequestHandlerClass = Handler
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    @Test func onlyAVerifiedTokenNamesWhoRuns() throws {
        guard try CLI.toolsPresent("python3 -c 'import cryptography'", otherwise: "PyPI cryptography missing") else {
            return
        }
        let directory = try CLI.temporaryDirectory()
        let daemon = try CLI.startDaemon(python: Self.issuer, arguments: [directory.path], in: directory)
        defer { daemon.stop() }
        try """
        version: 1
        oidc: { issuer: "http://127.0.0.1:\(daemon.port)", audience: shipcheck }
        environments: { production: {} }
        phases:
          pre-deploy:
            items:
              - { id: ran, title: Ran, run: "echo ran >> ran.log" }
        """.write(to: directory.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        func run(_ token: String) throws -> CLI.Output {
            let value = try String(contentsOf: directory.appendingPathComponent("\(token).jwt"), encoding: .utf8)
            return try CLI.run(
                ["run", "--env", "production", "--identity", "oidc", "--format", "json", "--output-dir", "out"],
                in: directory, environment: ["SHIPCHECK_OIDC_TOKEN": value])
        }
        for (token, message) in [
            ("expired", "the ID token expired at"), ("wrong-audience", "is meant for someone-else, not shipcheck"),
            ("wrong-issuer", "was issued by https://token.actions.githubusercontent.com, not http://127.0.0.1"),
            ("wrongly-signed", "signature does not verify with the issuer's keys"),
            ("unsigned", "only RS256 and ES256 are accepted"),
        ] {
            let refused = try run(token)
            #expect(refused.status == 1, "\(token): \(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains(message), "\(token): \(refused.stderr)")
        }
        #expect(
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent("ran.log").path),
            "a refused identity runs nothing")
        for token in ["good", "good-es256"] {
            let good = try run(token)
            #expect(good.status == 0, "\(token): \(good.stdout)\(good.stderr)")
            let report = try String(contentsOf: directory.appendingPathComponent("out/shipcheck.json"), encoding: .utf8)
            #expect(report.contains("\"actor\" : \"ci:mina/app\""), "\(report.prefix(800))")
            #expect(report.contains("\"run\" : \"4242\""), "\(report.prefix(1500))")
        }
        let claimed = try CLI.run(
            ["run", "--env", "production", "--identity", "oidc", "--actor", "cto@example.com"], in: directory)
        #expect(claimed.status == 64 && claimed.stderr.contains("drop --actor"), "\(claimed.stderr)")
    }
}
