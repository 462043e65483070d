import json
import threading
import unittest
import urllib.error
import urllib.request

from app import service


class ServiceTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = service.make_server("127.0.0.1", 0)
        cls.base = "http://127.0.0.1:%d" % cls.server.server_address[1]
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.thread.join(timeout=5)

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def test_health_is_healthy(self):
        status, body = self.get("/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "healthy")

    def test_mean_endpoint(self):
        status, body = self.get("/mean?values=1,2,3")
        self.assertEqual(status, 200)
        self.assertEqual(body["mean"], 2.0)

    def test_mean_endpoint_rejects_empty_input(self):
        status, body = self.get("/mean?values=")
        self.assertEqual(status, 400)
        self.assertIn("error", body)

    def test_unknown_path_is_404(self):
        status, _ = self.get("/nope")
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
