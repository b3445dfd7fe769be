"""One registry holding every hostile string in every free-text field a person can fill, built
once per run through the commands themselves; strings that input refuses are planted with
tests.helpers.edit_registry, as an older or hand-made registry would hold them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers import CLEARED_ENV, TODAY, edit_registry, make_nik
from tests.security.corpus import HOSTILE, PLANT_ONLY
from up2k_cli.cli.main import app

# Categories in the order businesses take them; each one's agency becomes a hostile string.
CATEGORIES = ("kuliner", "fesyen", "kerajinan", "jasa", "warung", "urban farming", "lainnya")

# Filled by the tests, reported at the end of the run: (strings x outputs) tried, and what went wrong.
FIGURES: Counter[str] = Counter()


def placeholder(index: int) -> str:
    """What a refused string is stored as before it is planted in its place (a valid name)."""
    return f"Plant{index:02d}x"


@dataclass
class HostileRegistry:
    data: bytes
    cadres: dict[str, str] = field(default_factory=dict)  # corpus key -> cadre ID
    businesses: dict[str, str] = field(default_factory=dict)
    batches: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    referrals: dict[str, str] = field(default_factory=dict)
    agencies: set[str] = field(default_factory=set)  # corpus keys that are agency names at the end
    planted: set[str] = field(default_factory=set)  # corpus keys input refused somewhere

    def env(self, db: Path) -> dict[str, str | None]:
        return {**{name: None for name in CLEARED_ENV}, "UP2K_DB": str(db), "UP2K_TODAY": TODAY,
                "UP2K_LANG": "en", "COLUMNS": "100", "PAGER": "cat"}  # fmt: skip


def _runner(env: dict[str, str | None]) -> Callable[..., Any]:
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, list(args), input=input, env=env)

    return run


@pytest.fixture(scope="session")
def hostile_registry(tmp_path_factory: pytest.TempPathFactory) -> HostileRegistry:
    db = tmp_path_factory.mktemp("hostile") / "registry.json"
    built = HostileRegistry(b"")
    run = _runner(built.env(db))

    def ok(*args: str, input: str | None = None) -> Any:
        result = run(*args, input=input)
        assert result.exit_code == 0, (args, result.stderr)
        return result

    def store(
        key: str, index: int, make: Callable[[str], list[str]], input: Callable[[str], str] | None = None
    ) -> Any:
        """Run a command with the hostile text; if input refuses it (exit 1, never a crash), run
        it with the placeholder, which is replaced by the hostile text afterwards."""
        text = HOSTILE[key] if key not in PLANT_ONLY else placeholder(index)
        result = run(*make(text), input=input(text) if input else None)
        if key in PLANT_ONLY:
            built.planted.add(key)
        elif result.exit_code == 1 and "internal error" not in result.stderr:
            built.planted.add(key)
            text = placeholder(index)
            result = run(*make(text), input=input(text) if input else None)
        assert result.exit_code == 0, (key, make(text), result.stderr)
        return result

    ok("init", "--start", "2026-01-05")
    ok("batch", "add", "BALL", "--title", "All below the minimum", "--start", "2026-11-01", "--end",
       "2026-11-10", "--sessions", "2", "--min-attendance", "50", "--capacity", "500",
       "--quota-per-kelurahan", "0")  # fmt: skip
    for i, key in enumerate(HOSTILE):
        born = {"day": 1 + i % 28, "month": 1 + i % 12, "year": 60 + i % 30}
        cadre = store(key, i, lambda t, i=i, born=born: [
            "register", f"--nik={make_nik(100 + i, **born)}", f"--name={t}", "--kelurahan=Pondok Labu",
            "--rw=1", "--rt=1", f"--address={t}", "--consent", f"--consent-method={t}", "--force",
            "--date=2026-10-01"])  # fmt: skip
        built.cadres[key] = cadre.stdout.strip()
        store(key, i, lambda t, cid=built.cadres[key]: ["cadre", "update", cid, f"--address={t} 2"])
    # One import of two cadres per string (the text itself, or its placeholder where a field refused
    # it): one is withdrawn from the string's batch, the other stays below the minimum in BALL.
    lines = ["nik,name,kelurahan,rw,rt,address,registered_on,consent,consent_method"]
    for i, key in enumerate(HOSTILE):
        text = placeholder(i) if key in built.planted else HOSTILE[key]
        quoted = '"' + text.replace('"', '""') + '"'
        lines += [
            f"{make_nik(300 + 2 * i + n)},{quoted},Lebak Bulus,1,1,{quoted},2026-10-01,ya,{quoted}"
            for n in (0, 1)
        ]
    imported = ok("import", "cadres", "-", input="\n".join(lines) + "\n")
    first_id = int(imported.stderr.partition("(K")[2].partition("-")[0])
    pairs = {
        key: (f"K{first_id + 2 * i:04d}", f"K{first_id + 2 * i + 1:04d}") for i, key in enumerate(HOSTILE)
    }
    below = [ref for key in HOSTILE for ref in (built.cadres[key], pairs[key][1])]
    ok("enroll", "-b", "BALL", *below, "--date", "2026-10-20")
    for i, key in enumerate(HOSTILE):
        cid = built.cadres[key]
        leaving = pairs[key][0]
        code = built.batches[key] = f"B{i:02d}"
        store(key, i, lambda t, code=code: ["batch", "add", code, f"--title={t}", "--start=2026-11-01",
              "--end=2026-11-10", "--sessions=2", "--min-attendance=50", f"--mentor={t}", f"--venue={t}"])  # fmt: skip
        ok("enroll", "-b", code, cid, leaving, "--date", "2026-10-20")
        store(key, i, lambda t, code=code, cid=cid: ["complete", "-b", code, cid, "--force", f"--reason={t}",
              "--date=2026-11-10"])  # fmt: skip
        store(key, i, lambda t, code=code, who=leaving: ["withdraw", "-b", code, who, f"--reason={t}",
              "--date=2026-11-05"])  # fmt: skip
        business = ok("business", "add", cid, "--name", f"Usaha {i}", "--category", CATEGORIES[i % 7],
                      "--started", "2026-11-15")  # fmt: skip
        uid = built.businesses[key] = business.stdout.strip()
        store(key, i, lambda t, uid=uid: ["business", "update", uid, f"--name={t}", f"--address={t}"])
        store(key, i, lambda t, cid=cid: ["step", cid, "pemasaran", "--date=2026-11-17", f"--note={t}"])
        store(key, i, lambda t, cid=cid: ["income", "add", cid, "--amount=1 jt", "--date=2026-11-20",
              f"--note={t}"])  # fmt: skip
        store(key, i, lambda t, i=i: ["settings", "agency-map", "--", CATEGORIES[i % 7], t])
        # Issue 15: a follow-up's note; a group's name and note, the reason a member left it; a
        # referral's agency and note, and an update's note.
        store(key, i, lambda t, uid=uid: ["business", "follow-up", uid, "--date=2026-11-20", "--turnover=5 jt",
              f"--note={t}"])  # fmt: skip
        group = store(key, i, lambda t: ["group", "add", "--kelurahan=Pondok Labu", "--formed=2026-10-01",
                      f"--note={t}", "--", t])  # fmt: skip
        gid = built.groups[key] = group.stdout.strip()
        ok("group", "join", gid, cid, pairs[key][1], "--date", "2026-10-20")
        store(key, i, lambda t, gid=gid, cid=cid: ["group", "leave", gid, cid, "--date=2026-11-01",
              f"--reason={t}"])  # fmt: skip
        referral = store(key, i, lambda t, uid=uid: ["refer", uid, "--need=capital", f"--agency={t}",
                         "--date=2026-11-18", f"--note={t}"])  # fmt: skip
        rid = built.referrals[key] = referral.stdout.strip()
        store(key, i, lambda t, rid=rid: ["referral", "update", rid, "--status=contacted", "--date=2026-11-19",
              f"--note={t}"])  # fmt: skip
        store(key, i, lambda t, cid=cid: ["cadre", "deactivate", cid, f"--reason={t}", "--date=2026-11-25"])
        gone = ok(*_register_plain(make_nik(600 + i, day=1 + i % 28), f"Lupa {i}")).stdout.strip()
        store(key, i, lambda t, gone=gone: ["cadre", "forget", gone, f"--reason={t}"])
    last_key = list(HOSTILE)[-1]
    store(last_key, len(HOSTILE) - 1, lambda t: ["settings", "agency-map", f"--licensing={t}"])
    # The Pokja II form's signature block (report pokja2): place, title and name.
    store(last_key, len(HOSTILE) - 1, lambda t: ["settings", "pokja2", f"--place={t}", f"--signer-title={t}",
          f"--signer-name={t}"])  # fmt: skip
    keys = list(HOSTILE)
    built.agencies = {keys[i] for i in range(len(keys)) if i >= len(keys) - 7} | {last_key}

    def plant(data: dict[str, Any]) -> None:
        text = json.dumps(data)
        for i, key in enumerate(HOSTILE):
            if key in built.planted:
                text = text.replace(placeholder(i), json.dumps(HOSTILE[key])[1:-1])
        data.clear()
        data.update(json.loads(text))

    edit_registry(db, plant)
    built.data = db.read_bytes()
    return built


def _register_plain(nik: str, name: str) -> list[str]:
    return ["register", f"--nik={nik}", f"--name={name}", "--kelurahan=Pondok Labu", "--rw=1", "--rt=1",
            "--address=Jl. Biasa 1", "--consent", "--force", "--date=2026-10-01"]  # fmt: skip


@pytest.fixture
def hostile(
    hostile_registry: HostileRegistry, tmp_path: Path
) -> tuple[HostileRegistry, Callable[..., Any], Path]:
    """A fresh copy of the hostile registry for one test, and a runner on it."""
    db = tmp_path / "registry.json"
    db.write_bytes(hostile_registry.data)
    db.chmod(0o600)
    return hostile_registry, _runner(hostile_registry.env(db)), db


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.write_line(
            f"security: {len(HOSTILE)} hostile strings; {FIGURES['cases']} (string x output) cases over "
            f"{FIGURES['outputs']} outputs; interpreted {FIGURES['interpreted']}, crashes {FIGURES['crashes']}"
        )
