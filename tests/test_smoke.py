import pytest

from hospitals.models import Hospital


@pytest.mark.django_db
def test_login_page_renders_in_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_scoping_primitive(officer_a, hospital_a, hospital_b, city_bureau, county_bureau):
    assert list(Hospital.objects.visible_to(officer_a)) == [hospital_a]
    assert set(Hospital.objects.visible_to(city_bureau)) == {hospital_a, hospital_b}
    assert list(Hospital.objects.visible_to(county_bureau)) == [hospital_a]
