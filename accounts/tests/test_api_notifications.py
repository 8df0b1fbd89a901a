"""The signed-in user's notifications over the API: only their own, keyset pages, marking read."""

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.tests.factories import AgentFactory, RepFactory
from common.tests.apiclient import api_client, relaxed_throttles  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttles")]

LIST = reverse("api:notification_list")


def notify(user, n: int = 1, **fields) -> list[Notification]:
    return Notification.objects.bulk_create(
        [Notification(user=user, title=f"Note {i}", data=fields.pop("data", {}), **fields) for i in range(n)]
    )


def test_a_user_lists_only_their_own_notifications():
    me, other = RepFactory(), RepFactory()
    mine = notify(me, 2)
    notify(other, 3)
    body = api_client(me).get(LIST).json()
    assert {row["id"] for row in body["results"]} == {str(n.pk) for n in mine}
    assert body["next"] is None and body["previous"] is None


def test_only_safe_links_are_given():
    me = RepFactory()
    Notification.objects.create(user=me, title="Order", data={"link": "/orders/"})
    Notification.objects.create(user=me, title="Phish", data={"link": "https://evil.example/"})
    links = {row["title"]: row["link"] for row in api_client(me).get(LIST).json()["results"]}
    assert links == {"Order": "/orders/", "Phish": None}


def test_unread_filter_and_marking_read():
    me = RepFactory()
    first, second = notify(me, 2)
    client = api_client(me)
    response = client.post(reverse("api:notification_read", args=[first.pk]))
    assert response.status_code == 200 and response.json()["is_read"] is True
    unread = client.get(LIST, {"unread": "true"}).json()["results"]
    assert [row["id"] for row in unread] == [str(second.pk)]
    assert client.get(LIST, {"unread": "maybe"}).status_code == 400
    assert client.post(reverse("api:notifications_read_all")).json() == {"marked": 1}
    assert client.get(LIST, {"unread": "true"}).json()["results"] == []


def test_another_users_notification_is_a_404():
    me, other = RepFactory(), AgentFactory()
    [theirs] = notify(other)
    response = api_client(me).post(reverse("api:notification_read", args=[theirs.pk]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.is_read is False


def test_pages_walk_every_notification_once_both_ways():
    me = RepFactory()
    notify(me, 7)  # one INSERT: all share one created_at, so the id breaks the ties
    client = api_client(me)
    seen, url = [], LIST + "?page_size=3"
    pages = []
    while url:
        body = client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        seen += pages[-1]
        url = body["next"]
    assert len(seen) == 7 == len(set(seen))
    assert [len(page) for page in pages] == [3, 3, 1]
    back = client.get(client.get(LIST + "?page_size=3").json()["next"]).json()["previous"]
    assert [row["id"] for row in client.get(back).json()["results"]] == pages[0]


def test_a_tampered_cursor_is_a_400():
    response = api_client(RepFactory()).get(LIST, {"after": "not-a-cursor"})
    assert response.status_code == 400 and "after" in response.json()["errors"]
