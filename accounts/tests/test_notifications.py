"""One's own notifications: the list, the bell's badge, marking read (own only), escaping, links."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Notification
from accounts.notification_views import PAGE_SIZE
from accounts.tests.factories import ManagerFactory, RepFactory
from core.tests.test_security_headers import inline_code

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:notifications")
BADGE = reverse("accounts:notifications_badge")
READ_ALL = reverse("accounts:notifications_read_all")


def note(user, *, title="Order ORD-000001 cancelled", read=False, **fields) -> Notification:
    return Notification.objects.create(user=user, title=title, is_read=read, **fields)


def read_url(notification) -> str:
    return reverse("accounts:notification_read", kwargs={"notification_id": notification.pk})


@pytest.fixture
def rep(client):
    user = RepFactory()
    client.force_login(user)
    return user


# --- The badge -----------------------------------------------------------------------------------


def test_the_badge_counts_only_my_unread_notifications(client, rep, django_assert_max_num_queries):
    for _ in range(3):
        note(rep)
    note(rep, read=True)
    note(ManagerFactory())
    with django_assert_max_num_queries(3):  # session, user, the count
        response = client.get(BADGE)
    assert response.status_code == 200
    assert response.content.decode().strip() == '<span class="count">3</span>'


def test_the_badge_is_empty_when_everything_is_read(client, rep):
    note(rep, read=True)
    assert client.get(BADGE).content.decode().strip() == ""


def test_the_badge_stops_counting_at_99(client, rep):
    Notification.objects.bulk_create(Notification(user=rep, title=f"n{i}") for i in range(105))
    assert client.get(BADGE).content.decode().strip() == '<span class="count">99+</span>'


def test_the_badge_of_an_ended_session_stops_polling_instead_of_showing_the_login_page(client):
    assert client.get(BADGE, headers={"HX-Request": "true"}).status_code == 286
    response = client.get(BADGE)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_top_bar_polls_the_badge(client, rep):
    html = client.get(LIST).content.decode()
    assert f'hx-get="{BADGE}"' in html and 'hx-trigger="load, every 30s"' in html


# --- The list --------------------------------------------------------------------------------------


def test_the_list_shows_my_notifications_newest_first_with_unread_highlighted(client, rep):
    older = note(rep, title="Older one", read=True)
    newer = note(rep, title="Newer one")
    Notification.objects.filter(pk=older.pk).update(created_at=newer.created_at.replace(year=2020))
    note(ManagerFactory(), title="Someone else's")
    response = client.get(LIST)
    html = response.content.decode()
    assert [n.pk for n in response.context["page"]] == [newer.pk, older.pk]
    assert "Someone else" not in html
    assert html.index("Newer one") < html.index("Older one")
    assert re.search(rf'class="notification unread" id="notification-{newer.pk}"', html)
    assert re.search(rf'class="notification" id="notification-{older.pk}"', html)
    assert "1 unread" in html
    assert inline_code(response) == []


def test_the_list_is_paginated(client, rep):
    Notification.objects.bulk_create(Notification(user=rep, title=f"n{i}") for i in range(PAGE_SIZE + 3))
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == PAGE_SIZE
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 3
    assert "Page 2 of 2" in second.content.decode()


def test_hostile_titles_and_messages_are_escaped(client, rep):
    note(rep, title="<script>alert('t')</script>", message='<img src=x onerror="alert(1)">')
    response = client.get(LIST)
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert inline_code(response) == []


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/orders/1/",
        "//evil.example/orders/1/",
        "/\\evil.example/orders/1/",
        "javascript:alert(1)",
        " /orders/1/",
        "orders/1/",
    ],
)
def test_a_link_that_is_not_a_path_on_this_site_is_not_rendered_as_a_link(client, rep, link):
    note(rep, title="Suspicious", data={"link": link})
    html = client.get(LIST).content.decode()
    assert "Suspicious" in html
    assert "evil.example" not in html and "javascript:" not in html
    assert not re.search(r'<a href="[^"]*">Suspicious</a>', html)


def test_a_relative_link_is_rendered(client, rep):
    note(rep, title="Order cancelled", data={"link": "/orders/123/?tab=history"})
    note(rep, title="No link at all", data={"product_id": "x"})
    html = client.get(LIST).content.decode()
    assert '<a href="/orders/123/?tab=history">Order cancelled</a>' in html
    assert "<span>No link at all</span>" in html


# --- Marking read ----------------------------------------------------------------------------------


def test_i_can_mark_my_notification_read(client, rep):
    mine, other = note(rep), note(rep)
    response = client.post(read_url(mine), {"page": "2"})
    assert response.status_code == 302 and response["Location"] == f"{LIST}?page=2"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.is_read and not other.is_read


def test_marking_read_with_htmx_returns_the_row_and_the_new_counts(client, rep):
    mine = note(rep)
    note(rep)
    response = client.post(read_url(mine), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<li class="notification" id="notification-{mine.pk}">' in html
    assert 'hx-swap-oob="innerHTML:.bell-count"' in html and '<span class="count">1</span>' in html
    assert "1 unread" in html


def test_someone_elses_notification_is_a_404_and_stays_unread(client, rep):
    theirs = note(ManagerFactory())
    assert client.post(read_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_marking_read_needs_a_post(client, rep):
    assert client.get(read_url(note(rep))).status_code == 405
    assert client.get(READ_ALL).status_code == 405


def test_mark_all_read_touches_only_my_unread_notifications(client, rep):
    mine = [note(rep), note(rep), note(rep, read=True)]
    theirs = note(ManagerFactory())
    response = client.post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == LIST
    assert all(n.is_read for n in Notification.objects.filter(pk__in=[n.pk for n in mine]))
    theirs.refresh_from_db()
    assert not theirs.is_read
    assert "2 notifications marked as read." in client.get(LIST).content.decode()


def test_the_services_keep_to_the_owner():
    rep, manager = RepFactory(), ManagerFactory()
    theirs = note(manager)
    with pytest.raises(Notification.DoesNotExist):
        services.notification_mark_read(user=rep, notification_id=theirs.pk)
    assert services.notifications_mark_all_read(user=rep) == 0
    assert services.notification_mark_read(user=manager, notification_id=theirs.pk).is_read
    assert services.notification_mark_read(user=manager, notification_id=theirs.pk).is_read  # twice: fine
    assert services.notifications_mark_all_read(user=manager) == 0
