"""UP2K groups on the in-memory unit of work: one group at a time per cadre (history kept), tiers
proposed from the criteria setting and confirmed with a date, tier history as of a day.

Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu, K0004-K0005 Lebak Bulus."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.services.conftest import TODAY
from up2k_cli.domain.errors import NotFound, RuleViolation, ValidationError, ValidationErrors
from up2k_cli.services import groups

D = dt.date


def add(uow, name: str = "Kelompok Melati", **extra: str) -> str:
    raw = {"name": name, "kelurahan_code": "Pondok Labu", "rw": "3", "formed_on": "2026-10-05", **extra}
    return groups.add_group(uow, raw, today=TODAY)["id"]


def test_groups_get_serial_ids_never_reused(uow) -> None:
    assert add(uow) == "G0001"
    assert add(uow, "Kelompok Mawar") == "G0002"
    with uow:
        record = uow.groups.get("G0001")
    assert record["kelurahan_code"] == "31.74.06.1003" and record["rw"] == "003"
    assert record["savings_loans"] is False and record["capital"] is None


def test_a_group_needs_name_kelurahan_and_formation_date(uow) -> None:
    with pytest.raises(ValidationErrors) as caught:
        groups.add_group(uow, {"rw": "1"}, today=TODAY)
    assert [e.field for e in caught.value.errors] == ["name", "kelurahan", "formed"]


def test_formed_in_the_future_is_refused(uow) -> None:
    with pytest.raises(ValidationErrors, match="is in the future"):
        add(uow, formed_on="2026-12-01")


def test_a_cadre_is_in_one_group_at_a_time(uow) -> None:
    g1, g2 = add(uow), add(uow, "Kelompok Mawar")
    groups.join(uow, g1, ["K0001", "K0002"], on=D(2026, 10, 10), today=TODAY)
    with pytest.raises(RuleViolation) as caught:
        groups.join(uow, g2, ["K0003", "K0001"], on=D(2026, 10, 12), today=TODAY)
    message = str(caught.value)
    assert "K0001 is a member of G0001 since 2026-10-10 (one group at a time)" in message
    assert "'up2k group leave G0001 K0001' first" in message and message.endswith("nobody joined")
    with uow:
        assert uow.memberships.find(group_id=g2) == [], "refused whole: K0003 did not join either"


def test_leaving_keeps_the_history_and_frees_the_cadre(uow) -> None:
    g1, g2 = add(uow), add(uow, "Kelompok Mawar")
    groups.join(uow, g1, ["K0001"], on=D(2026, 10, 10), today=TODAY)
    assert groups.leave(uow, g1, ["K0001"], on=D(2026, 11, 1), today=TODAY, reason="pindah").left == ["K0001"]
    groups.join(uow, g2, ["K0001"], on=D(2026, 11, 1), today=TODAY)
    with uow:
        mine = sorted(uow.memberships.find(cadre_id="K0001"), key=lambda m: m["id"])
    assert [(m["group_id"], m["joined_on"], m["left_on"], m["leave_reason"]) for m in mine] == [
        ("G0001", "2026-10-10", "2026-11-01", "pindah"),
        ("G0002", "2026-11-01", None, None),
    ]
    page = groups.group_page(uow, g1, today=TODAY)
    assert page.members == [] and [p["cadre_id"] for p in page.former] == ["K0001"]


def test_joining_before_leaving_the_last_group_is_refused(uow) -> None:
    g1, g2 = add(uow), add(uow, "Kelompok Mawar")
    groups.join(uow, g1, ["K0001"], on=D(2026, 10, 10), today=TODAY)
    groups.leave(uow, g1, ["K0001"], on=D(2026, 11, 1), today=TODAY)
    with pytest.raises(RuleViolation, match="K0001 left a group on 2026-11-01; join from then on"):
        groups.join(uow, g2, ["K0001"], on=D(2026, 10, 20), today=TODAY)


def test_joining_again_is_reported_not_doubled(uow) -> None:
    g1 = add(uow)
    groups.join(uow, g1, ["K0001"], on=D(2026, 10, 10), today=TODAY)
    result = groups.join(uow, g1, ["K0001", "K0002", "k0002"], on=D(2026, 10, 11), today=TODAY)
    assert (result.joined, result.already) == (["K0002"], ["K0001"])
    with uow:
        assert uow.memberships.count() == 2


def test_join_date_rules(uow) -> None:
    g1 = add(uow)
    with pytest.raises(ValidationError, match="is before G0001 was formed"):
        groups.join(uow, g1, ["K0001"], on=D(2026, 10, 1), today=TODAY)
    with pytest.raises(ValidationError, match="in the future"):
        groups.join(uow, g1, ["K0001"], on=D(2026, 12, 1), today=TODAY)


def test_unknown_and_inactive_cadres_are_named(uow) -> None:
    from up2k_cli.services import cadres

    cadres.set_status(uow, "K0002", False, "pindah", on=D(2026, 10, 20), today=TODAY)
    g1 = add(uow)
    with pytest.raises(RuleViolation, match="K0099 not found"):
        groups.join(uow, g1, ["K0001", "K0099"], on=D(2026, 11, 1), today=TODAY)
    with pytest.raises(RuleViolation, match="cadre K0002 is inactive"):
        groups.join(uow, g1, ["K0002"], on=D(2026, 11, 1), today=TODAY)


def test_leave_refuses_non_members_and_dates_before_joining(uow) -> None:
    g1 = add(uow)
    groups.join(uow, g1, ["K0001"], on=D(2026, 10, 10), today=TODAY)
    with pytest.raises(RuleViolation, match="K0002 is not a member of G0001; nobody left"):
        groups.leave(uow, g1, ["K0001", "K0002"], on=D(2026, 11, 1), today=TODAY)
    with pytest.raises(RuleViolation, match="K0001 joined G0001 on 2026-10-10, after 2026-10-09"):
        groups.leave(uow, g1, ["K0001"], on=D(2026, 10, 9), today=TODAY)


def test_unknown_group(uow) -> None:
    with pytest.raises(NotFound, match="group 'G0042' not found"):
        groups.join(uow, "g0042", ["K0001"], on=TODAY, today=TODAY)


def test_update_keeps_old_values_in_the_history(uow) -> None:
    g1 = add(uow)
    entry = groups.update_group(
        uow, g1, {"capital": "Rp 6.000.000", "bookkeeping": "ya", "reach": "kelurahan"}, today=TODAY
    )
    assert entry["changes"] == {"capital": [None, 6_000_000], "bookkeeping": [False, True],
                                "reach": [None, "kelurahan"]}  # fmt: skip
    with pytest.raises(ValidationError, match="nothing to change"):
        groups.update_group(uow, g1, {}, today=TODAY)


def test_formation_date_cannot_move_after_a_member_joined(uow) -> None:
    g1 = add(uow)
    groups.join(uow, g1, ["K0001"], on=D(2026, 10, 10), today=TODAY)
    with pytest.raises(ValidationError, match=r"is after its first member joined"):
        groups.update_group(uow, g1, {"formed_on": "2026-10-11"}, today=TODAY)


# --- tiers --------------------------------------------------------------------------------------


def small_criteria(uow) -> None:
    """Criteria a five-cadre registry can reach: Pemula 2 members, Madya 3 with bookkeeping."""
    groups.change_tier_criteria(uow, "pemula", {"members": "2"})
    groups.change_tier_criteria(uow, "madya", {"members": "3", "capital": "1 jt", "reach": "any"})
    groups.change_tier_criteria(uow, "utama", {"members": "4", "capital": "2 jt", "reach": "any"})
    groups.change_tier_criteria(uow, "mandiri", {"members": "5", "capital": "3 jt", "reach": "any"})


def test_assess_proposes_the_highest_tier_met_and_what_the_next_lacks(uow) -> None:
    small_criteria(uow)
    g1 = add(uow, capital="1.500.000", bookkeeping="ya")
    groups.join(uow, g1, ["K0001", "K0002", "K0003"], on=D(2026, 10, 10), today=TODAY)
    (found,) = groups.assess(uow, g1, on=TODAY, today=TODAY)
    assert found.proposal.tier == "madya" and found.proposal.next_tier == "utama"
    assert [str(x) for x in found.proposal.lacks] == [
        "members 3 of 4",
        "joint capital Rp 1.500.000 of Rp 2.000.000",
    ]
    assert found.group["tier"] is None and found.changes


def test_a_group_below_pemula_gets_no_tier(uow) -> None:
    g1 = add(uow)
    (found,) = groups.assess(uow, g1, on=TODAY, today=TODAY)
    assert found.proposal.tier is None and not found.changes
    assert [str(x) for x in found.proposal.lacks] == ["members 0 of 5"]


def test_confirmed_tiers_make_a_dated_history(uow) -> None:
    small_criteria(uow)
    g1 = add(uow, capital="1.500.000", bookkeeping="ya")
    groups.join(uow, g1, ["K0001", "K0002"], on=D(2026, 10, 10), today=TODAY)
    (first,) = groups.confirm(uow, {g1: "pemula"}, on=D(2026, 10, 20), today=TODAY)
    assert (first["id"], first["tier"], first["on"]) == ("T0001", "pemula", "2026-10-20")
    assert first["facts"] == {"members": 2, "capital": 1_500_000, "bookkeeping": True, "savings_loans": False,
                              "reach": None}  # fmt: skip
    groups.join(uow, g1, ["K0003"], on=D(2026, 11, 2), today=TODAY)
    groups.confirm(uow, {g1: "madya"}, on=D(2026, 11, 5), today=TODAY)
    now = groups.list_groups(uow, today=TODAY)[0]
    assert (now["tier"], now["tier_on"], now["members"]) == ("madya", "2026-11-05", 3)
    page = groups.group_page(uow, g1, today=TODAY)
    assert [(t["tier"], t["on"]) for t in page.tiers] == [("pemula", "2026-10-20"), ("madya", "2026-11-05")]
    # As of a day between the two, the group was Pemula with two members.
    (then,) = groups.assess(uow, g1, on=D(2026, 10, 25), today=TODAY)
    assert (then.group["tier"], then.group["members"]) == ("pemula", 2)


def test_confirm_refuses_a_proposal_that_changed_since_it_was_shown(uow) -> None:
    small_criteria(uow)
    g1 = add(uow, capital="1.500.000", bookkeeping="ya")
    groups.join(uow, g1, ["K0001", "K0002", "K0003"], on=D(2026, 10, 10), today=TODAY)
    with pytest.raises(RuleViolation, match="the proposal for G0001 changed since it was shown"):
        groups.confirm(uow, {g1: "mandiri"}, on=TODAY, today=TODAY)
    with uow:
        assert uow.group_tiers.count() == 0


def test_a_tier_is_not_confirmed_before_the_last_one(uow) -> None:
    small_criteria(uow)
    g1 = add(uow, capital="1.500.000", bookkeeping="ya")
    groups.join(uow, g1, ["K0001", "K0002"], on=D(2026, 10, 10), today=TODAY)
    groups.confirm(uow, {g1: "pemula"}, on=D(2026, 11, 1), today=TODAY)
    groups.join(uow, g1, ["K0003"], on=D(2026, 11, 2), today=TODAY)
    with pytest.raises(ValidationError, match=r"is before G0001's last tier \(2026-11-01\)"):
        groups.confirm(uow, {g1: "pemula"}, on=D(2026, 10, 30), today=TODAY)


def test_tier_list_filter(uow) -> None:
    small_criteria(uow)
    g1, g2 = add(uow), add(uow, "Kelompok Mawar", kelurahan_code="Lebak Bulus")
    groups.join(uow, g1, ["K0001", "K0002"], on=D(2026, 10, 10), today=TODAY)
    groups.confirm(uow, {g1: "pemula"}, on=TODAY, today=TODAY)
    assert [r["id"] for r in groups.list_groups(uow, today=TODAY, tier="pemula")] == [g1]
    assert [r["id"] for r in groups.list_groups(uow, today=TODAY, tier="unclassed")] == [g2]
    assert [r["id"] for r in groups.list_groups(uow, today=TODAY, kelurahan="lebak")] == [g2]


# --- the criteria setting ---------------------------------------------------------------------------


def test_default_criteria_are_the_starting_point_in_the_settings(uow) -> None:
    criteria = groups.tier_settings(uow)
    assert list(criteria) == ["pemula", "madya", "utama", "mandiri"]
    assert criteria["madya"] == {"members": 10, "capital": 5_000_000, "bookkeeping": True,
                                 "savings_loans": False, "reach": "kelurahan"}  # fmt: skip


def test_a_higher_tier_cannot_ask_less(uow) -> None:
    with pytest.raises(
        ValidationErrors,
        match=r"madya members '4': asks less than Pemula \(5\); a higher tier cannot ask less",
    ):
        groups.change_tier_criteria(uow, "madya", {"members": "4"})
    with pytest.raises(ValidationErrors, match="utama reach 'neighbourhood': asks less than Madya"):
        groups.change_tier_criteria(uow, "utama", {"reach": "rt"})
    assert groups.tier_settings(uow)["madya"]["members"] == 10, "nothing changed"


def test_changing_and_resetting_criteria(uow) -> None:
    changed = groups.change_tier_criteria(uow, "Mandiri", {"capital": "150 jt", "savings_loans": "tidak"})
    assert changed["mandiri"]["capital"] == 150_000_000 and changed["mandiri"]["savings_loans"] is False
    assert groups.change_tier_criteria(uow, None, {}, reset=True)["mandiri"]["capital"] == 100_000_000
    with pytest.raises(ValidationError, match="name the TIER"):
        groups.change_tier_criteria(uow, None, {"members": "3"})


def test_resetting_the_agency_map_keeps_the_tier_criteria(uow) -> None:
    from up2k_cli.services import outcomes

    groups.change_tier_criteria(uow, "pemula", {"members": "3"})
    outcomes.change_agency_map(uow, reset=True)
    assert groups.tier_settings(uow)["pemula"]["members"] == 3
