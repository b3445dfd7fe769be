"""Offices that work apart: a bundle of one registry (or one kelurahan's share) merged into
another, by a kelurahan office at the kecamatan and back.

Identity. Every registry has its own `registry_id`; a record's global identity is the registry
it was made in and its key there. A record that came from elsewhere keeps that identity (table
`origins`: {key there: key here}), so the next bundle from there updates it instead of adding
it again; cadres are matched by NIK as well. The receiving registry gives new records its own
IDs (a batch keeps its code when it is free).

Conflicts. After a merge the receiving registry holds, for each record exchanged, a hash of the
record as both sides last agreed on it (table `peers`, per registry merged from; a bundle
carries the sender's, for the registry it will be merged into). A side changed a record when it
is neither of the agreed versions: changed there only, it is taken; changed here only, it is
kept; changed on both sides (and differently), it is a conflict: listed, and left as it is
unless --prefer says which side wins. A merge that would
put a batch over its capacity or a kelurahan over its quota leaves those enrollments out and
lists them as conflicts too. Erasures travel: a cadre erased there is erased here; a cadre
erased here never takes personal data back.

Hashes are taken in the global space (references written as their global identity, local-only
fields left out), so both sides compute the same hash for the same record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain import batch as batch_rules
from up2k_cli.domain import validators as v
from up2k_cli.domain.bundle import BundleError
from up2k_cli.domain.errors import RuleViolation
from up2k_cli.i18n import _
from up2k_cli.services import common
from up2k_cli.storage.protocol import Record, UnitOfWork
from up2k_cli.storage.schema import TABLES, TableSpec

PAYLOAD_FORMAT = 1
# What is merged, parents before the tables that refer to them; the history, the log of files
# and the bookkeeping of merges travel for reading (dates), never as records to merge.
NOT_MERGED = frozenset({"history", "files", "origins", "peers"})
# Fields that are each registry's own: recomputed or renumbered here, never compared.
LOCAL_FIELDS: dict[str, frozenset[str]] = {
    "cadres": frozenset({"name_key"}),
    "enrollments": frozenset({"queue_seq"}),
}
ENTITY_OF = {table: entity for entity, table in common.TABLE_OF.items()}


def merged_tables() -> list[TableSpec]:
    """Tables to merge, each after every table it refers to."""
    done: list[TableSpec] = []
    todo = [spec for name, spec in TABLES.items() if name not in NOT_MERGED]
    while todo:
        for spec in todo:
            parents = {f.references.split(".")[0] for f in spec.fields if f.references}
            if parents - {spec.name} <= {d.name for d in done}:
                done.append(spec)
                todo.remove(spec)
                break
        else:  # pragma: no cover - schema.py has no cycle of references
            raise RuntimeError("the tables refer to each other in a circle")
    return done


def _refs(spec: TableSpec) -> list[tuple[str, str]]:
    """(field, table it refers to) for each reference field."""
    return [(f.name, f.references.split(".")[0]) for f in spec.fields if f.references]


def record_hash(spec: TableSpec, record: Mapping[str, Any], global_of: Callable[[str, Any], str]) -> str:
    """The record as both sides see it: every field but its key and local-only fields, each
    reference as its global identity."""
    import orjson

    local = LOCAL_FIELDS.get(spec.name, frozenset())
    refs = dict(_refs(spec))
    values = []
    for f in spec.fields:
        if f.name == spec.key or f.name in local:
            continue
        value = record.get(f.name)
        if f.name in refs and value is not None:
            value = global_of(refs[f.name], value)
        values.append(value)
    return hashlib.blake2b(orjson.dumps(values, option=orjson.OPT_SORT_KEYS), digest_size=8).hexdigest()


class Identities:
    """Global identities of a registry's records ('<registry>/<key>'), from its origins table."""

    def __init__(self, me: str, origins: Iterable[Mapping[str, Any]]) -> None:
        self.me = me
        self.there: dict[str, dict[str, str]] = defaultdict(dict)  # table: {local key: global}
        self.here: dict[str, dict[str, str]] = defaultdict(dict)  # table: {global: local key}
        for row in origins:
            for their_key, local in (row.get("keys") or {}).items():
                identity = f"{row['origin']}/{their_key}"
                self.there[row["table"]][str(local)] = identity
                self.here[row["table"]][identity] = str(local)

    def global_of(self, table: str, key: Any) -> str:
        return self.there[table].get(str(key)) or f"{self.me}/{key}"

    def local_of(self, table: str, identity: str) -> str | None:
        """The key here of a record known by its global identity (None: not here)."""
        found = self.here[table].get(identity)
        if found is not None:
            return found
        origin, _sep, key = identity.partition("/")
        return key if origin == self.me else None


# --- writing a bundle ---------------------------------------------------------------------------


@dataclass
class BundleContents:
    payload: dict[str, Any]
    counts: dict[str, int]
    cadre_ids: list[str]


def bundle_contents(uow: UnitOfWork, kelurahan: str | None) -> BundleContents:
    """Everything of the registry, or one kelurahan's share (its cadres, what hangs from them,
    every batch, and the history about them), in an open unit of work."""
    meta = uow.meta
    code = common.kelurahan_code(meta, kelurahan) if kelurahan else None
    tables: dict[str, list[Record]] = {}
    kept: dict[str, set[str]] = {}
    for spec in merged_tables():
        records = getattr(uow, spec.name).all()
        if code is not None:
            refs = _refs(spec)
            scoped = "kelurahan_code" in spec.field_names or any(t in kept for _f, t in refs)
            if scoped:
                records = [
                    r
                    for r in records
                    if r.get("kelurahan_code", code) == code
                    and all(r.get(f) in kept[t] for f, t in refs if t in kept)
                ]
                kept[spec.name] = {str(r[spec.key]) for r in records}
        tables[spec.name] = records
    shipped = {name: {str(r[TABLES[name].key]) for r in records} for name, records in tables.items()}
    history = uow.history.all()
    if code is not None:
        history = [h for h in history if _names_only(h, shipped)]
    tables["history"] = history
    tables["files"] = uow.files.all() if code is None else []
    identities = Identities(meta["registry_id"], uow.origins.all())
    origins = {
        name: {key: identities.global_of(name, key) for key in keys if identities.there[name].get(key)}
        for name, keys in shipped.items()
    }
    bases: dict[str, dict[str, dict[str, str]]] = {}
    for peer in uow.peers.all():
        bases[peer["id"]] = {
            name: {k: h for k, h in (peer["bases"].get(name) or {}).items() if k in shipped.get(name, ())}
            for name in shipped
        }
    # Named after the one kelurahan all its cadres belong to (an office's registry, or a share),
    # else after the kecamatan.
    places = {r["kelurahan_code"] for r in tables.get("cadres", [])} if code is None else {code}
    kel_name = common.kelurahan_names(meta).get(next(iter(places)), "") if len(places) == 1 else ""
    if kel_name:
        label = _("Kelurahan {name}").format(name=kel_name)
    else:
        label = _("Kecamatan {name}").format(name=meta["region"]["kecamatan"]["name"])
    payload = {
        "format": PAYLOAD_FORMAT,
        "registry": meta["registry_id"],
        "label": label,
        "kelurahan": code,
        "created_at": uow.now.isoformat(timespec="seconds"),
        "schema_version": meta["schema_version"],
        "tables": tables,
        "origins": {k: v for k, v in origins.items() if v},
        "bases": bases,
    }
    counts = {name: len(records) for name, records in tables.items()}
    return BundleContents(payload, counts, sorted(shipped.get("cadres", ())))


def _names_only(entry: Mapping[str, Any], shipped: Mapping[str, set[str]]) -> bool:
    table = common.TABLE_OF.get(str(entry.get("entity")))
    if table is None or table not in shipped:
        return False
    keys = entry.get("refs") or [entry.get("ref")]
    return bool(keys) and all(str(k) in shipped[table] for k in keys)


def export_bundle(
    uow: UnitOfWork,
    *,
    kelurahan: str | None,
    path: str,
    encode: Callable[[bytes], bytes],
    write: Callable[[bytes], None],
) -> BundleContents:
    """Write a bundle (through `write`, the output layer) and record it as a personal-data file,
    in one unit of work: a bundle that could not be written is not recorded."""
    import orjson

    from up2k_cli.services.personal import record_file, require_personal_data

    with uow:
        require_personal_data(uow, "export bundle")
        contents = bundle_contents(uow, kelurahan)
        (seq,) = uow.reserve("bundle", 1)  # type: ignore[attr-defined]
        contents.payload["seq"] = seq
        what = "bundle" + (f" {contents.payload['kelurahan']}" if kelurahan else "")
        record_file(uow, what, path, contents.cadre_ids, len(contents.cadre_ids))
        write(encode(orjson.dumps(contents.payload)))
        uow.commit()
    return contents


# --- merging a bundle ---------------------------------------------------------------------------


@dataclass
class Conflict:
    """One field of one record that the merge left as it is (or a place it could not take)."""

    table: str
    record: str  # the key here ('' for a record not created)
    theirs_key: str
    field: str
    ours: Any
    theirs: Any
    ours_on: str | None
    theirs_on: str | None
    kind: str  # 'both changed', 'quota', 'capacity', 'taken'


@dataclass
class Merged:
    bundle: str
    sender: str
    label: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    erased: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: int = 0  # records whose parent is not here (removed here)
    dry_run: bool = False
    written: bool = False

    @property
    def conflicted_records(self) -> int:
        return len({(c.table, c.theirs_key) for c in self.conflicts})


def read_payload(raw: bytes, name: str) -> dict[str, Any]:
    import orjson

    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict) or payload.get("format") != PAYLOAD_FORMAT:
        raise BundleError(
            _("{name} holds no up2k registry data up2k can read; nothing was merged").format(name=name)
        )
    for key in ("registry", "label", "seq", "tables"):
        if key not in payload:
            raise BundleError(
                _("{name} holds no up2k registry data up2k can read; nothing was merged").format(name=name)
            )
    return payload


def merge(
    uow: UnitOfWork,
    payload: Mapping[str, Any],
    *,
    name: str,
    today: dt.date,
    dry_run: bool = False,
    prefer: str | None = None,
    conflicts_file: str | None = None,
) -> Merged:
    """Merge a bundle into the registry: all or nothing, one write, one history entry."""
    from up2k_cli.services.personal import record_file

    with uow:
        plan = _Plan(uow, payload, name=name, today=today, prefer=prefer)
        plan.run()
        result = plan.result
        result.dry_run = dry_run
        if not dry_run and plan.changes():
            plan.write()
            if conflicts_file is not None and result.conflicts:
                ids = [c.record for c in result.conflicts if c.table == "cadres" and c.record]
                record_file(uow, "merge conflicts", conflicts_file, ids, len(result.conflicts))
            uow.commit()
            result.written = True
        elif not dry_run and conflicts_file is not None and result.conflicts:
            ids = [c.record for c in result.conflicts if c.table == "cadres" and c.record]
            record_file(uow, "merge conflicts", conflicts_file, ids, len(result.conflicts))
            uow.commit()
    return result


class _Plan:
    """One merge, worked out in memory first (nothing is written until `write`)."""

    def __init__(
        self,
        uow: UnitOfWork,
        payload: Mapping[str, Any],
        *,
        name: str,
        today: dt.date,
        prefer: str | None,
        importing: str | None = None,
    ) -> None:
        self.importing = importing  # the table an import of an export fills (no peer, no bases)
        self.missing_parent: tuple[str, str, Any] | None = None
        self.uow = uow
        self.payload = payload
        self.today = today
        self.prefer = prefer
        meta = uow.meta
        self.me: str = meta["registry_id"]
        self.sender: str = str(payload["registry"])
        self.result = Merged(bundle=name, sender=self.sender, label=str(payload["label"]))
        if self.sender == self.me and not importing:
            raise RuleViolation(
                _("{name} was written by this registry itself; merge it into another one").format(name=name)
            )
        if payload.get("schema_version", 0) > meta["schema_version"]:
            raise BundleError(
                _("{name} was written by a newer up2k (schema {version}); upgrade up2k to merge it").format(
                    name=name, version=payload.get("schema_version")
                )
            )
        self.peer = None if importing else uow.peers.get(self.sender)
        seq = int(payload["seq"])
        if self.peer is not None and seq < self.peer["seq"]:
            raise RuleViolation(
                _(
                    "{name} is bundle {seq} of {label}, older than bundle {last} merged on {on}; nothing "
                    "was merged (merge their newest bundle)"
                ).format(
                    name=name,
                    seq=seq,
                    label=payload["label"],
                    last=self.peer["seq"],
                    on=self.peer["merged_at"][:10],
                )
            )
        self.ours_ids = Identities(self.me, uow.origins.all())
        their_origins = payload.get("origins") or {}
        self.their_global: dict[str, dict[str, str]] = {
            t: {str(k): str(g) for k, g in (m or {}).items()} for t, m in their_origins.items()
        }
        self.bases: dict[str, dict[str, str]] = {
            t: dict(m) for t, m in ((self.peer or {}).get("bases") or {}).items()
        }
        self.their_bases: Mapping[str, Mapping[str, str]] = (payload.get("bases") or {}).get(self.me) or {}
        self.new_links: dict[str, dict[str, str]] = defaultdict(dict)  # "origin/table": {key: local}
        self.linked: dict[str, dict[str, str]] = defaultdict(dict)  # table: {local: identity}
        self.pending: dict[str, dict[str, str]] = defaultdict(dict)  # table: {identity: provisional}
        self.old_bases: dict[tuple[str, str], str | None] = {}
        self.creates: dict[str, list[Record]] = defaultdict(list)
        self.updates: dict[str, dict[str, Record]] = defaultdict(dict)
        self.erase: list[str] = []
        self.touched_erased: set[str] = set()
        self.base_changes = False
        self.local: dict[str, dict[str, Record]] = {}
        self.their_dates = _last_change(payload["tables"].get("history") or [])
        self._our_dates: dict[tuple[str, str], str] | None = None

    # -- identities ------------------------------------------------------------------------------

    def their_identity(self, table: str, key: Any) -> str:
        return self.their_global.get(table, {}).get(str(key)) or f"{self.sender}/{key}"

    def local_key(self, table: str, identity: str) -> str | None:
        origin, _sep, key = identity.partition("/")
        link = self.new_links.get(f"{origin}/{table}", {}).get(key) or self.pending[table].get(identity)
        if link is not None:
            return link
        found = self.ours_ids.local_of(table, identity)
        return found if found is not None and found in self.local[table] else None

    def link(self, table: str, identity: str, local: str) -> None:
        origin, _sep, key = identity.partition("/")
        if origin != self.me and self.ours_ids.there[table].get(local) != identity:
            self.new_links[f"{origin}/{table}"][key] = local
            self.linked[table][local] = identity

    def our_global(self, table: str, key: Any) -> str:
        return (
            self.ours_ids.there[table].get(str(key)) or self.linked[table].get(str(key)) or f"{self.me}/{key}"
        )

    # -- the work ----------------------------------------------------------------------------------

    def run(self) -> None:
        tables = self.payload["tables"]
        for spec in merged_tables():
            self.local[spec.name] = {str(r[spec.key]): r for r in getattr(self.uow, spec.name).all()}
        for spec in merged_tables():
            self.merge_table(spec, tables.get(spec.name) or [])
        self.check_places()
        self.assign_keys()

    def merge_table(self, spec: TableSpec, records: list[Record]) -> None:
        refs = _refs(spec)
        local = self.local[spec.name]
        base = self.bases.setdefault(spec.name, {})
        their_base = self.their_bases.get(spec.name) or {}
        by_nik = (
            {r["nik"]: k for k, r in local.items() if r.get("nik") and not r.get("erased_on")}
            if spec.name == "cadres"
            else {}
        )
        together = [
            {tuple(r.get(f) for f in fields): k for k, r in local.items()} for fields in spec.unique_together
        ]
        uniques = [f.name for f in spec.fields if f.unique and f.name != spec.key]
        taken = {
            name: {r.get(name): k for k, r in local.items() if r.get(name) is not None} for name in uniques
        }
        for theirs in records:
            their_key = str(theirs[spec.key])
            identity = self.their_identity(spec.name, their_key)
            translated = dict(theirs)
            missing_parent = False
            for f, table in refs:
                value = theirs.get(f)
                if value is None:
                    continue
                target = self.local_key(table, self.their_identity(table, value))
                if target is None:
                    missing_parent = True
                    self.missing_parent = self.missing_parent or (f, table, value)
                    break
                translated[f] = target
            if missing_parent:
                self.result.skipped += 1
                continue
            h_theirs = record_hash(spec, theirs, self.their_identity)
            key = self.local_key(spec.name, identity)
            if key is None and spec.name == "cadres" and theirs.get("nik") in by_nik:
                key = by_nik[theirs["nik"]]
            if key is None:
                for fields, index in zip(spec.unique_together, together, strict=True):
                    hit = index.get(tuple(translated.get(f) for f in fields))
                    if hit is not None:
                        key = hit
                        break
            if key is None and identity.partition("/")[0] == self.me:
                self.result.skipped += 1  # made here, and removed here since
                continue
            clash = next(
                (
                    n
                    for n in uniques
                    if translated.get(n) is not None and taken[n].get(translated[n]) not in (None, key)
                ),
                None,
            )
            if clash is not None:
                other = taken[clash][translated[clash]]
                self.conflict(
                    spec, other, their_key, clash, local[other].get(clash), translated[clash], "taken"
                )
                continue
            if key is None:
                record = {k: translated.get(k) for k in spec.field_names}
                record[spec.key] = self.pending[spec.name][identity] = f"+{identity}"
                record["_identity"] = identity
                record["_hash"] = h_theirs
                record["_their_key"] = their_key
                self.creates[spec.name].append(record)
                continue
            self.link(spec.name, identity, key)
            ours = local[key]
            h_ours = record_hash(spec, ours, self.our_global)
            if h_ours == h_theirs:
                self.set_base(base, key, h_theirs)
                continue
            if spec.name == "cadres":
                if theirs.get("erased_on") and not ours.get("erased_on"):
                    self.erase.append(key)
                    self.set_base(base, key, h_theirs)
                    continue
                if ours.get("erased_on"):
                    continue  # erased here: nothing of theirs comes back
            # Changed since the last agreement: the one this side recorded when it merged the
            # other's bundle, or the one the other side recorded (a bundle carries its bases).
            agreed = {base.get(key), their_base.get(their_key)} - {None}
            theirs_changed = h_theirs not in agreed
            ours_changed = h_ours not in agreed
            if theirs_changed and not ours_changed:
                self.update(spec, key, ours, translated)
                self.set_base(base, key, h_theirs)
            elif ours_changed and not theirs_changed:
                self.set_base(base, key, h_theirs)
            elif self.prefer == "theirs":
                self.update(spec, key, ours, translated)
                self.set_base(base, key, h_theirs)
            elif self.prefer == "ours":
                self.set_base(base, key, h_theirs)
            else:
                for f in spec.field_names:
                    if f in (spec.key, *LOCAL_FIELDS.get(spec.name, ())):
                        continue
                    if ours.get(f) != translated.get(f):
                        self.conflict(spec, key, their_key, f, ours.get(f), translated.get(f), "both changed")

    def set_base(self, base: dict[str, str], key: str, value: str) -> None:
        if base.get(key) != value:
            for name, table in self.bases.items():
                if table is base:
                    self.old_bases.setdefault((name, key), base.get(key))
            base[key] = value
            self.base_changes = True

    def update(self, spec: TableSpec, key: str, ours: Record, theirs: Record) -> None:
        local = LOCAL_FIELDS.get(spec.name, frozenset())
        fields = {
            f: theirs.get(f)
            for f in spec.field_names
            if f != spec.key and f not in local and ours.get(f) != theirs.get(f)
        }
        if spec.name == "cadres" and "name" in fields:
            fields["name_key"] = v.name_key(fields["name"]) if not theirs.get("erased_on") else None
        if fields:
            self.updates[spec.name][key] = fields

    def conflict(
        self, spec: TableSpec, key: str, their_key: str, name: str, ours: Any, theirs: Any, kind: str
    ) -> None:
        entity = ENTITY_OF.get(spec.name, spec.name)
        self.result.conflicts.append(
            Conflict(
                table=spec.name,
                record=key,
                theirs_key=their_key,
                field=name,
                ours=ours,
                theirs=theirs,
                ours_on=self.our_dates().get((entity, key)) if key else None,
                theirs_on=self.their_dates.get((entity, their_key)),
                kind=kind,
            )
        )

    def our_dates(self) -> dict[tuple[str, str], str]:
        if self._our_dates is None:
            self._our_dates = _last_change(self.uow.history.all())
        return self._our_dates

    def check_places(self) -> None:
        """Enrollments that would put a batch over its capacity, or a kelurahan over its quota,
        stay out: conflicts."""
        if "enrollments" not in self.local:
            return
        final: dict[str, Record] = {
            k: {**r, **self.updates["enrollments"].get(k, {})} for k, r in self.local["enrollments"].items()
        }
        incoming = {k for k, f in self.updates["enrollments"].items() if "status" in f}
        news = {str(r["id"]): r for r in self.creates["enrollments"]}
        final.update(news)
        incoming |= set(news)
        batches = {**self.local["batches"]}
        for r in self.creates["batches"]:
            batches[str(r["code"])] = r
        by_batch: dict[str, list[str]] = defaultdict(list)
        for k, e in final.items():
            by_batch[str(e["batch"])].append(k)
        dropped: set[str] = set()
        for code, keys in by_batch.items():
            batch = batches.get(code)
            if batch is None:
                continue
            batch = {**batch, **self.updates["batches"].get(code, {})}
            holding = [k for k in keys if final[k]["status"] in batch_rules.HOLDS_PLACE]
            total, per_kelurahan = batch_rules.places_taken(final[k] for k in keys)
            kinds: list[tuple[str, set[str]]] = []
            if total > batch["capacity"]:
                kinds.append(("capacity", {k for k in holding if k in incoming}))
            quota = batch["quota_per_kelurahan"]
            for kel, n in per_kelurahan.items():
                if quota and n > quota:
                    kinds.append(
                        ("quota", {k for k in holding if k in incoming and final[k]["kelurahan_code"] == kel})
                    )
            for kind, keys_out in kinds:
                for k in sorted(keys_out - dropped):
                    dropped.add(k)
                    e = final[k]
                    their_key = e.get("_their_key") or self._their_key_of("enrollments", k)
                    limit = batch["capacity"] if kind == "capacity" else quota
                    self.conflict(
                        TABLES["enrollments"],
                        "" if k.startswith("+") else k,
                        their_key,
                        "status",
                        self.local["enrollments"].get(k, {}).get("status"),
                        e["status"],
                        kind,
                    )
                    self.result.conflicts[-1].ours = _("{held} places held of {limit}").format(
                        held=total if kind == "capacity" else per_kelurahan[e["kelurahan_code"]], limit=limit
                    )
        if dropped:
            self.creates["enrollments"] = [r for k, r in news.items() if k not in dropped]
            for k in dropped:
                if not k.startswith("+"):
                    self.updates["enrollments"].pop(k, None)
                    old = self.old_bases.get(("enrollments", k))
                    if old is None:
                        self.bases.get("enrollments", {}).pop(k, None)
                    else:
                        self.bases["enrollments"][k] = old

    def _their_key_of(self, table: str, local: str) -> str:
        identity = self.our_global(table, local)
        origin, _sep, key = identity.partition("/")
        for their, g in self.their_global.get(table, {}).items():
            if g == identity:
                return their
        return key if origin == self.sender else local

    def assign_keys(self) -> None:
        """New records get this registry's IDs (a batch keeps its code when it is free); the
        records that refer to them are pointed at the new IDs."""
        renamed: dict[tuple[str, str], str] = {}
        for spec in merged_tables():
            news = self.creates.get(spec.name) or []
            for record in news:
                for f, table in _refs(spec):
                    value = record.get(f)
                    if value is not None and (table, str(value)) in renamed:
                        record[f] = renamed[(table, str(value))]
            if not news:
                continue
            if spec.prefix:
                keys = self.uow.next_ids(spec.counter or "", spec.prefix, len(news))
            else:
                keys = []
                used = set(self.local[spec.name])
                for record in news:
                    key = str(record["_their_key"])
                    n = 2
                    while key in used:
                        key = f"{str(record['_their_key'])[:26]}-{n}"
                        n += 1
                    used.add(key)
                    keys.append(key)
            for record, key in zip(news, keys, strict=True):
                identity = record["_identity"]
                renamed[(spec.name, str(record[spec.key]))] = key
                record[spec.key] = key
                self.link(spec.name, identity, key)
                self.bases.setdefault(spec.name, {})[key] = record["_hash"]
                self.base_changes = True
            if spec.name == "cadres":
                for record in news:
                    record["name_key"] = (
                        v.name_key(record.get("name")) if not record.get("erased_on") else None
                    )
            if spec.name == "enrollments":
                waiting = [r for r in news if r["status"] == batch_rules.WAITLISTED]
                numbers = iter(self.uow.reserve("queue", len(waiting)) if waiting else ())  # type: ignore[attr-defined]
                for record in news:
                    record["queue_seq"] = (
                        next(numbers) if record["status"] == batch_rules.WAITLISTED else None
                    )
        for name, records in self.creates.items():
            self.result.created[name] = len(records)
        for name, changes in self.updates.items():
            if changes:
                self.result.updated[name] = len(changes)
        self.result.erased = len(self.erase)

    def changes(self) -> bool:
        if self.importing:
            return bool(any(self.creates.values()) or any(self.updates.values()) or self.new_links)
        return bool(
            any(self.creates.values())
            or any(self.updates.values())
            or self.erase
            or self.new_links
            or self.base_changes
            or self.peer is None
            or self.peer["seq"] != int(self.payload["seq"])
        )

    def write(self) -> None:
        from up2k_cli.services.maintenance import erase

        uow = self.uow
        for spec in merged_tables():
            news = self.creates.get(spec.name) or []
            if news:
                getattr(uow, spec.name).add_many([{k: r.get(k) for k in spec.field_names} for r in news])
            if self.updates.get(spec.name):
                getattr(uow, spec.name).update_many(self.updates[spec.name])
        origins = {row["id"]: row for row in uow.origins.all()}
        added, changed = [], {}
        for link_id, keys in self.new_links.items():
            origin, table = link_id.rsplit("/", 1)
            row = origins.get(link_id)
            if row is None:
                added.append({"id": link_id, "origin": origin, "table": table, "keys": dict(keys)})
            elif any(row["keys"].get(k) != v for k, v in keys.items()):
                changed[link_id] = {"keys": {**row["keys"], **keys}}
        uow.origins.add_many(added)
        uow.origins.update_many(changed)
        if self.importing:
            self._import_entry()
            return
        stamp = uow.now.isoformat(timespec="seconds")
        peer = {
            "label": self.result.label,
            "seq": int(self.payload["seq"]),
            "merged_at": stamp,
            "bundle": self.result.bundle,
            "bases": self.bases,
        }
        if self.peer is None:
            uow.peers.add_many([{"id": self.sender, **peer}])
        else:
            uow.peers.update_many({self.sender: peer})
        erased_now = set(self.erase)
        # A cadre erased here keeps nothing personal, also in what this merge brought for them.
        erased_here = {k for k, r in self.local.get("cadres", {}).items() if r.get("erased_on")}
        for spec in merged_tables():
            if "cadre_id" in spec.field_names:
                for r in [
                    *(self.creates.get(spec.name) or []),
                    *(self.local[spec.name].get(k, {}) for k in self.updates.get(spec.name) or {}),
                ]:
                    if r.get("cadre_id") in erased_here:
                        erased_now.add(r["cadre_id"])
        for key in sorted(erased_now):
            erase(uow, key, self.today)
        refs = sorted(
            {r["id"] for r in self.creates.get("cadres") or []}
            | set(self.updates.get("cadres") or {})
            | erased_now,
            key=lambda i: common.id_order({"id": i}),
        )
        changes: dict[str, list[Any]] = {
            "bundle": [None, self.result.bundle],
            "from": [None, self.result.label],
        }
        for name, n in self.result.created.items():
            changes[f"{name} created"] = [None, n]
        for name, n in self.result.updated.items():
            changes[f"{name} updated"] = [None, n]
        if self.result.erased:
            changes["cadres erased"] = [None, self.result.erased]
        if self.result.conflicts:
            changes["conflicts"] = [None, self.result.conflicted_records]
        entry: dict[str, Any] = {
            "entity": "registry",
            "ref": self.result.bundle,
            "action": "merge",
            "changes": changes,
        }
        if refs:
            entry["refs"] = refs
        uow.record_changes([entry])

    def _import_entry(self) -> None:
        table = str(self.importing)
        spec = TABLES[table]
        made = [str(r[spec.key]) for r in self.creates.get(table) or []]
        changed = list(self.updates.get(table) or {})
        refs = sorted(set(made) | set(changed), key=lambda i: common.id_order({"id": i}))
        changes: dict[str, list[Any]] = {"source": [None, self.result.bundle], "from": [None, self.sender]}
        changes["records created"] = [None, len(made)]
        if changed:
            changes["records updated"] = [None, len(changed)]
        entry: dict[str, Any] = {
            "entity": ENTITY_OF.get(table, table),
            "ref": refs[0] if refs else self.result.bundle,
            "action": "import-export",
            "changes": changes,
        }
        if refs:
            entry["refs"] = refs
        self.uow.record_changes([entry])


def _last_change(history: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """(entity, key) -> the day of the last history entry about it."""
    last: dict[tuple[str, str], str] = {}
    for entry in history:
        entity = str(entry.get("entity"))
        for key in entry.get("refs") or [entry.get("ref")]:
            if key is not None:
                last[(entity, str(key))] = str(entry.get("at", ""))[:10]
    return last


def origin_of(uow: UnitOfWork, table: str, key: str) -> tuple[str, str, str] | None:
    """(registry, key there, its label) of a record that came from another registry, in an open
    unit of work; None for a record made here."""
    for row in uow.origins.find(table=table):
        for their, local in (row.get("keys") or {}).items():
            if local == key:
                peer = uow.peers.get(row["origin"])
                return row["origin"], their, (peer or {}).get("label") or row["origin"]
    return None


# --- importing an export of a table (lossless) ------------------------------------------------

# Export columns named otherwise than the field they hold.
EXPORT_NAMES: dict[str, dict[str, str]] = {
    "enrollments": {"id": "enrollment_id"},
    # the business's own record holds it as it was at its start; the export's plain columns
    # show it as it stands after its follow-ups
    "businesses": {
        m: f"start_{m}"
        for m in (
            "owner_status",
            "family_workers",
            "paid_workers",
            "paid_were_unemployed",
            "paid_local",
            "turnover",
        )
    },
}
# Tables exported as they are stored (`raw_rows`), by their command names.
RAW_EXPORTS = {
    "business-follow-ups": "business_follow_ups",
    "groups": "groups",
    "memberships": "memberships",
    "group-tiers": "group_tiers",
    "referrals": "referrals",
    "referral-updates": "referral_updates",
}
# Rows an export shows but the table does not hold: steps reached by themselves, baselines (the
# registration's income), both made again from the records they follow from.
DERIVED_ROWS: dict[str, tuple[str, str]] = {"steps": ("source", "automatic"), "incomes": ("kind", "baseline")}
IMPORTABLE = ("cadres", "batches", "enrollments", "businesses", "steps", "incomes", *RAW_EXPORTS)


def raw_rows(uow: UnitOfWork, table: str) -> list[Record]:
    """Every record of a table as stored, with the registry's identity (`export groups`, ...)."""
    with uow:
        origin = uow.meta["registry_id"]
        spec = TABLES[table]
        return [
            {**r, "registry": origin}
            for r in sorted(getattr(uow, table).all(), key=lambda r: _order(r, spec))
        ]


def _order(record: Mapping[str, Any], spec: TableSpec) -> tuple[int, str]:
    key = str(record[spec.key])
    return (len(key), key)


def is_export(header: Iterable[str]) -> bool:
    """A file `up2k export` wrote (it names the registry it came from), not a spreadsheet."""
    names = set(header)
    return "registry" in names and ("id" in names or "code" in names or "enrollment_id" in names)


def records_from_export(
    table: str, rows: list[tuple[int, dict[str, Any]]], source: str
) -> tuple[str, list[Record]]:
    """(the registry the export came from, its records): each row's cells read back as the
    table's fields (numbers, dates, yes/no, the nested values' JSON text); a row up2k could not
    have written is refused, naming its line, column, value and the fix."""
    import orjson

    from up2k_cli.domain.errors import ValidationError
    from up2k_cli.storage.schema import BOOL, DATE, INT, JSON, record_problems

    spec = TABLES[table]
    names = EXPORT_NAMES.get(table, {})
    if not rows:
        return "", []
    origins = {str(row.get("registry") or "") for _line, row in rows}
    if "" in origins or len(origins) > 1:
        raise ValidationError(
            "registry",
            sorted(origins)[0] if origins else "",
            _(
                "{source} is not one whole export of one registry: every row must name the same registry"
            ).format(source=source),
        )
    skip = DERIVED_ROWS.get(table)
    local = LOCAL_FIELDS.get(table, frozenset())
    records = []
    for line, row in rows:
        if skip and row.get(skip[0]) == skip[1]:
            continue
        record: Record = {}
        for f in spec.fields:
            if f.name in local:
                continue
            column = names.get(f.name, f.name)
            value = row.get(column)
            if isinstance(value, str):
                value = value if value != "" else None
            if value is None:
                record[f.name] = None
                continue
            try:
                if f.kind == INT and not isinstance(value, int):
                    value = int(str(value))
                elif f.kind == BOOL and not isinstance(value, bool):
                    value = {"true": True, "false": False, "yes": True, "no": False}[str(value).lower()]
                elif f.kind == DATE:
                    value = dt.date.fromisoformat(str(value)).isoformat()
                elif f.kind == JSON and isinstance(value, str):
                    value = orjson.loads(value)
            except (ValueError, KeyError, orjson.JSONDecodeError):
                raise ValidationError(
                    column,
                    value,
                    _("line {line} of {source}: not a {kind} as up2k exports it").format(
                        line=line, source=source, kind=f.kind
                    ),
                ) from None
            record[f.name] = value
        problems = record_problems(spec, [record], limit=1)
        if problems:
            problem = problems[0]
            raise ValidationError(
                names.get(problem.field, problem.field),
                problem.value,
                _("line {line} of {source}: expected {expected}").format(
                    line=line, source=source, expected=problem.expected
                ),
            )
        if table == "cadres":
            record["name_key"] = v.name_key(record.get("name")) if not record.get("erased_on") else None
        records.append(record)
    return origins.pop(), records


def import_export(
    uow: UnitOfWork,
    table: str,
    rows: list[tuple[int, dict[str, Any]]],
    *,
    source: str,
    today: dt.date,
    dry_run: bool = False,
) -> Merged:
    """An export of one table into this registry, every field kept: new records get this
    registry's IDs and the mapping is kept (by the export's `registry` column), so that the
    tables that refer to them, imported after, point at the right records, and importing the
    same file again changes nothing. All or nothing, one write."""
    origin, records = records_from_export(table, rows, source)
    if not records:
        return Merged(bundle=source, sender=origin, label=source, dry_run=dry_run)
    payload = {
        "format": PAYLOAD_FORMAT,
        "registry": origin,
        "label": source,
        "seq": 0,
        "tables": {table: records},
    }
    with uow:
        plan = _Plan(uow, payload, name=source, today=today, prefer=None, importing=table)
        plan.run()
        if plan.missing_parent is not None:
            field_name, parent, value = plan.missing_parent
            raise RuleViolation(
                _(
                    "{field} {value} of {source} is not in this registry: import the {parent} of the same "
                    "registry first; nothing was imported"
                ).format(field=field_name, value=value, source=source, parent=parent)
            )
        if plan.result.conflicts:
            c = plan.result.conflicts[0]
            raise RuleViolation(
                _(
                    "{table} {key} of {source} differs from {record} here in {field} ({kind}); nothing was "
                    "imported (merge a bundle to settle records changed on both sides)"
                ).format(
                    table=table,
                    key=c.theirs_key,
                    source=source,
                    record=c.record or "-",
                    field=c.field,
                    kind=c.kind,
                )
            )
        result = plan.result
        result.dry_run = dry_run
        if not dry_run and plan.changes():
            plan.write()
            uow.commit()
            result.written = True
    return result
