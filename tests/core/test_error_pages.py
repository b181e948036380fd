import pytest


@pytest.mark.django_db
def test_role_refusal_renders_the_translated_403_page(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/accounts/users/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.django_db
def test_unknown_page_renders_the_404_page(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/hazards/999999999/")
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()
