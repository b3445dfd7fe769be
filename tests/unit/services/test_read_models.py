"""The read models of reports/ on the in-memory unit of work, figures computed by hand; and the
contract of services/reporting.py: a backend's own read model first, parameters checked before.

The registry: K0001-K0003 Pondok Labu (PL), K0004-K0005 Lebak Bulus (LB), registered 2026-10-01
with no income given. Batch B01 (training, 4 sessions, minimum 75%, capacity 100, quota 20),
2026-11-01 to 2026-11-20: K0001, K0002, K0004 enrolled on 11-01; K0001 attends sessions 1-4
(11-02 to 11-05) and completes on 11-20; K0002 attends session 1. K0001 starts a culinary
business on 11-10 (no NIB, no P-IRT) and reports Rp 2 jt household income on 11-25.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from tests.unit.services.conftest import TODAY
from up2k_cli.domain.errors import NotFound, ValidationError
from up2k_cli.reports import READ_MODELS
from up2k_cli.reports.jobs import JobsTotal
from up2k_cli.services import batches, groups, outcomes, reporting

D = dt.date
PL, LB = "31.74.06.1003", "31.74.06.1002"


@pytest.fixture
def registry(uow):  # type: ignore[no-untyped-def]
    batches.add(uow, TODAY, code="B01", title="Pelatihan", start="2026-11-01", end="2026-11-20", sessions=4,
                min_attendance=75, capacity=100, quota_per_kelurahan=20)  # fmt: skip
    batches.enroll(uow, "B01", ["K0001", "K0002", "K0004"], on=D(2026, 11, 1), today=TODAY)
    for session in range(1, 5):
        batches.attend(uow, "B01", session, ["K0001"], on=D(2026, 11, 1 + session), today=TODAY)
    batches.attend(uow, "B01", 1, ["K0002"], on=D(2026, 11, 2), today=TODAY)
    batches.complete(uow, "B01", ["K0001"], on=D(2026, 11, 20), today=TODAY)
    outcomes.add_business(uow, "K0001", {"name": "Kue", "category": "kuliner", "started_on": "2026-11-10"},
                          today=TODAY)  # fmt: skip
    outcomes.add_income(uow, "K0001", "2 jt", on=D(2026, 11, 25), today=TODAY, note=None)
    return uow


def figures(uow: Any, name: str, **params: Any) -> Any:
    return reporting.run(uow, name, **params).figures


def test_summary(registry) -> None:
    f = figures(registry, "summary", as_of=TODAY)
    assert (f.cadres, f.cadres_active, f.batches, f.batches_training, f.batches_open) == (5, 5, 1, 1, 1)
    assert (f.enrollments_enrolled, f.enrollments_completed, f.enrollments_withdrawn) == (2, 1, 0)
    assert f.attendance_rate == 41.7  # 5 sessions attended of 3 places x 4 sessions held
    assert (f.businesses, f.new_entrepreneurs, f.target_minimum_pct) == (1, 1, 0.0)
    assert f.jobs == JobsTotal(jobs=1, owners=1, family_workers=0, paid_workers=0, jobs_formerly_unemployed=0,
                               moved_to_work=0)  # fmt: skip
    assert dict(f.businesses_by_category)["Kuliner"] == 1
    assert len(f.businesses_by_agency) == 2  # its category's agency, and the licensing one (no P-IRT)


def test_summary_as_of_an_earlier_day(registry) -> None:
    f = figures(registry, "summary", as_of=D(2026, 10, 15))
    assert (f.cadres, f.batches, f.enrollments_enrolled, f.businesses, f.attendance_rate) == (
        5,
        0,
        0,
        0,
        None,
    )


def test_kelurahan(registry) -> None:
    f = figures(registry, "kelurahan", as_of=TODAY)
    lines = {line.code: line for line in f.kelurahan}
    assert len(lines) == 5
    pl, lb = lines[PL], lines[LB]
    assert (pl.cadres, pl.enrolled, pl.completed, pl.completion_rate, pl.new_entrepreneurs) == (
        3,
        1,
        1,
        50.0,
        1,
    )
    assert (lb.cadres, lb.enrolled, lb.completed, lb.completion_rate, lb.businesses) == (2, 1, 0, 0.0, 0)
    assert (f.total.code, f.total.cadres, f.total.enrolled, f.total.completed) == ("", 5, 2, 1)


def test_batch(registry) -> None:
    f = figures(registry, "batch", code="B01", as_of=TODAY)
    fill = {line.code: line for line in f.fill}
    assert (fill[PL].places, fill[PL].quota, fill[PL].fill_pct, fill[LB].places) == (2, 20, 10.0, 1)
    assert [(s.session, s.present, s.date) for s in f.session_lines] == [
        (1, 2, "2026-11-02"), (2, 1, "2026-11-03"), (3, 1, "2026-11-04"), (4, 1, "2026-11-05")
    ]  # fmt: skip
    assert [(b.cadre_id, b.sessions_attended, b.attendance_pct) for b in f.below_minimum] == [
        ("K0002", 1, 25.0), ("K0004", 0, 0.0)
    ]  # fmt: skip
    assert (f.places, f.completed, f.completion_pct) == (3, 1, 33.3)


def test_batch_before_it_existed_is_refused(registry) -> None:
    with pytest.raises(ValidationError, match="did not exist yet then"):
        reporting.batch(registry, "b01", as_of=D(2026, 10, 1))
    with pytest.raises(NotFound):
        reporting.batch(registry, "B09", as_of=TODAY)


def test_weekly(registry) -> None:
    f = figures(registry, "weekly", week="2026-W45", as_of=TODAY)  # 2 to 8 November
    assert (f.week, f.start, f.end, f.complete) == ("2026-W45", "2026-11-02", "2026-11-08", True)
    assert f.total.this_week["attendance"] == 5
    assert f.total.week_before["enrollments"] == 3  # 1 November: the week before
    assert f.total.this_week["businesses"] == 0
    later = figures(registry, "weekly", week="2026-W46", as_of=TODAY)  # 9 to 15 November
    assert (later.total.this_week["businesses"], later.total.this_week["new_entrepreneurs"]) == (1, 1)
    assert {line.code: line.this_week["new_entrepreneurs"] for line in later.kelurahan}[PL] == 1
    assert (later.new_entrepreneurs, later.jobs.jobs) == (1, 1)


def test_target(registry) -> None:
    f = figures(registry, "target", as_of=TODAY)
    assert (f.start, f.years, f.minimum, f.stretch) == ("2026-01-05", 5, 4000, 5000)
    pl = {line.code: line for line in f.kelurahan}[PL]
    assert (pl.achieved, pl.target_minimum, pl.target_stretch, pl.share) == (1, 800, 1000, 0.2)
    assert (f.total.achieved, f.total.target_minimum, f.total.pace_last_12_weeks) == (
        1,
        4000,
        round(1 / 12, 2),
    )
    assert f.jobs.owners == 1


def test_pipeline(registry) -> None:
    f = figures(registry, "pipeline", as_of=TODAY)
    assert f.registered == 5
    funnel = {s.step: s.cadres for s in f.funnel}
    assert (funnel["pendaftaran"], funnel["pelatihan"], funnel["perizinan"]) == (5, 1, 0)
    assert {line.code: line.steps["pelatihan"] for line in f.kelurahan}[PL] == 1


def test_income(registry) -> None:
    f = figures(registry, "income", as_of=TODAY)
    pl = {line.code: line for line in f.kelurahan}[PL]
    assert (pl.with_baseline, pl.with_follow_up, pl.with_both, pl.median_latest) == (0, 1, 0, 2_000_000)
    assert (f.total.with_follow_up, f.registered) == (1, 5)
    assert figures(registry, "income", as_of=D(2026, 11, 24)).total.with_follow_up == 0


def test_agencies(registry) -> None:
    f = figures(registry, "agencies", as_of=TODAY)
    assert [(a.businesses, a.lacks_nib, a.lacks_pirt) for a in f.agencies] == [(1, 1, 1), (1, 1, 1)]
    assert f.contacts == ()
    with pytest.raises(ValidationError, match="no business is referred to it"):
        figures(registry, "agencies", as_of=TODAY, agency="Nowhere")


def test_agencies_with_contacts_records_the_hand_over(registry) -> None:
    report = reporting.agencies(registry, as_of=TODAY, with_contacts=True, output="list.csv")
    assert {c.cadre_id for c in report.figures.contacts} == {"K0001"}
    with registry:
        assert registry.files.all()[-1]["path"] == "list.csv"


def test_pokja2_counts_groups_in_their_tier(registry) -> None:
    group = groups.add_group(registry, {"name": "Melati", "kelurahan_code": "Pondok Labu", "formed_on": "2026-10-10"},
                             today=TODAY)  # fmt: skip
    groups.join(registry, group["id"], ["K0001", "K0002"], on=D(2026, 10, 10), today=TODAY)
    f = figures(registry, "pokja2", period="2026-10", as_of=TODAY)
    pl = {line.key: line for line in f.kelurahan}[PL]
    assert (pl.groups, pl.members, pl.tiers["unclassed"].members) == (1, 2, 2)
    assert (f.total.groups, f.as_of) == (1, "2026-10-31")


def test_every_figure_is_a_plain_value(registry) -> None:
    """The contract both backends meet: frozen dataclasses of ints, floats, text, dates, tuples
    and mappings of those; never a message or a column."""

    def plain(value: Any) -> bool:
        if dataclasses.is_dataclass(value):
            frozen = type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]
            return frozen and all(plain(getattr(value, f.name)) for f in dataclasses.fields(value))
        if isinstance(value, tuple | list):
            return all(plain(v) for v in value)
        if isinstance(value, dict):
            return all(type(k) is str and plain(v) for k, v in value.items())
        return value is None or type(value) in (int, float, str, bool, dt.date)

    params = {"batch": {"code": "B01"}, "pokja2": {"period": "2026"}, "jobs": {"since": D(2026, 11, 1)}}
    for name in READ_MODELS:
        found = figures(registry, name, as_of=TODAY, **params.get(name, {}))
        assert plain(found), name


class Backend:
    """A unit of work whose backend computes some read models itself."""

    def __init__(self, uow: Any, answers: dict[str, Any]) -> None:
        self.uow, self.answers, self.asked = uow, answers, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.uow, name)

    def __enter__(self) -> Any:
        self.uow.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self.uow.__exit__(*exc)

    def read_model(self, name: str, **params: Any) -> Any:
        self.asked.append((name, params))
        return self.answers.get(name)


def test_a_backends_own_read_model_is_asked_first(registry) -> None:
    own = object()
    backend = Backend(registry, {"summary": own})
    assert reporting.run(backend, "summary", as_of=TODAY).figures is own
    assert backend.asked == [("summary", {"as_of": TODAY})]
    python = reporting.run(backend, "kelurahan", as_of=TODAY).figures  # None: Python computes it
    assert python.total.cadres == 5


def test_parameters_are_checked_before_any_backend_computes(registry) -> None:
    backend = Backend(registry, {"jobs": object()})
    with pytest.raises(ValidationError, match="must be before the report's day"):
        reporting.run(backend, "jobs", as_of=TODAY, since=TODAY)
    with pytest.raises(ValidationError, match="write an ISO week"):
        reporting.run(backend, "weekly", week="week 5", as_of=TODAY)
    assert backend.asked == []


def test_pokja2_signature_settings_change_and_are_kept(registry) -> None:
    assert groups.pokja2_settings(registry) == {"place": "", "signer_title": "", "signer_name": ""}
    block = groups.pokja2_settings(
        registry, {"place": " Jakarta ", "signer_name": "Ibu Sari", "signer_title": None}
    )
    assert block == {"place": "Jakarta", "signer_title": "", "signer_name": "Ibu Sari"}
    assert reporting.run(registry, "pokja2", period="2026", as_of=TODAY).settings["pokja2"] == block
    with registry:
        assert registry.history.all()[-1]["ref"] == "pokja2"
    with pytest.raises(ValidationError, match="place"):
        groups.pokja2_settings(registry, {"place": "x" * 200})


def test_titles_name_the_kecamatan_of_the_registrys_settings(registry) -> None:
    from up2k_cli.render.reports import document

    with registry:
        region = registry.meta["region"]
        registry.update_meta(
            {"region": {**region, "kecamatan": {**region["kecamatan"], "name": "Pesanggrahan"}}}
        )
        registry.commit()
    for name, params in (("summary", {}), ("jobs", {}), ("pokja2", {"period": "2026"}), ("facilitation", {})):
        report = reporting.run(registry, name, as_of=TODAY, **params)
        title = document(report.name, report.figures, report.kecamatan, report.settings).title
        assert "Kecamatan Pesanggrahan" in title and "Cilandak" not in title, title
