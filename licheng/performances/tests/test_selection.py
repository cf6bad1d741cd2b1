"""Selection (勾選): in the window, under the cap, even from two sessions at once."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.performances import services
from licheng.performances.models import PerformanceSelection
from licheng.performances.tests.conftest import add_work, client_for, open_windows, set_rules
from licheng.testing.personas import Personas


@pytest.mark.django_db
def test_student_selects_up_to_the_cap_with_live_counters(windows_open: Personas) -> None:
    p = windows_open
    set_rules(p, performances_selected=2)
    first, second, third = add_work(p, "一"), add_work(p, "二"), add_work(p, "三")
    client = client_for(p.student_user)
    response = client.post(f"/performances/selection/{first.pk}/", {"selected": "1"}, HTTP_HX_REQUEST="true")
    assert "1/2" in response.content.decode()
    client.post(f"/performances/selection/{second.pk}/", {"selected": "1"}, HTTP_HX_REQUEST="true")
    response = client.post(f"/performances/selection/{third.pk}/", {"selected": "1"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "已勾選 2 筆多元表現" in page and "2/2" in page
    assert PerformanceSelection.objects.count() == 2
    # Unselecting frees a place.
    client.post(f"/performances/selection/{first.pk}/", {"selected": "0"})
    client.post(f"/performances/selection/{third.pk}/", {"selected": "1"})
    assert set(PerformanceSelection.objects.values_list("performance_id", flat=True)) == {second.pk, third.pk}
    # A selected performance cannot be withdrawn.
    client.post(f"/performances/{second.pk}/withdraw/")
    second.refresh_from_db()
    assert second.withdrawn_at is None


@pytest.mark.django_db
def test_selection_is_locked_outside_the_window(personas: Personas) -> None:
    open_windows(personas, selection=False)
    performance = add_work(personas)
    client = client_for(personas.student_user)
    response = client.post(f"/performances/selection/{performance.pk}/", {"selected": "1"}, follow=True)
    assert "勾選期間" in response.content.decode()
    assert not PerformanceSelection.objects.exists()


@pytest.mark.django_db
def test_nobody_else_selects_for_the_student(windows_open: Personas) -> None:
    performance = add_work(windows_open)
    for user in (windows_open.parent, windows_open.homeroom_teacher, windows_open.school_admin):
        assert client_for(user).post(f"/performances/selection/{performance.pk}/", {"selected": "1"}).status_code == 404
    assert not PerformanceSelection.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_sessions_selecting_at_once_cannot_pass_the_cap() -> None:
    from django_scopes import scopes_disabled

    from licheng.testing.personas import build_personas

    with scopes_disabled():
        p = build_personas()
        open_windows(p)
        set_rules(p, performances_selected=1)
        performances = [add_work(p, f"作品{i}") for i in range(6)]
    barrier = threading.Barrier(len(performances))
    outcomes: list[str] = []

    def select(performance_pk: int) -> None:
        try:
            with scopes_disabled():
                from licheng.performances.models import Performance

                performance = Performance.objects.select_related("academic_year").get(pk=performance_pk)
                barrier.wait(timeout=10)
                services.performance_select(actor=Actor(user=p.student_user), school=p.school, performance=performance)
            outcomes.append("selected")
        except ServiceError:
            outcomes.append("refused")
        except OperationalError:
            # SQLite's in-memory test database answers a concurrent writer with "table is locked"
            # instead of waiting; the request fails and nothing is written, which also holds the cap.
            assert connection.vendor == "sqlite"
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=select, args=(perf.pk,)) for perf in performances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with scopes_disabled():
        assert PerformanceSelection.objects.count() == 1
    assert sorted(outcomes) == ["refused"] * 5 + ["selected"]


@pytest.mark.django_db
def test_selection_page_runs_a_constant_number_of_queries(
    windows_open: Personas, django_assert_max_num_queries: object
) -> None:
    client = client_for(windows_open.student_user)
    client.get("/performances/selection/")
    for i in range(30):
        add_work(windows_open, f"作品{i}")
    # session + user + roles + permissions + student + term + years + rules + terms (window)
    # + performances with selection + files + menu: none per performance.
    with django_assert_max_num_queries(18):  # type: ignore[operator]
        page = client.get("/performances/selection/").content.decode()
    assert page.count('name="selected" value="1"') == 30
