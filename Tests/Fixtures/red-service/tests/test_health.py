from app import app


def test_health_answers():
    response = app.test_client().get("/health")
    assert response.status_code == 200


def test_health_is_healthy():
    response = app.test_client().get("/health")
    assert response.get_json().get("status") == "healthy"
