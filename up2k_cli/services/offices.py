"""Accounts of a registry on PostgreSQL (`up2k office`): a login per kelurahan office, and
viewers for the agencies and the city. What each may read and change is the database's to
enforce (roles, grants, row-level security: storage/postgres/migrations/0005.sql); this module
only names and checks what the coordinator asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from up2k_cli.domain.errors import RuleViolation, ValidationError
from up2k_cli.i18n import _
from up2k_cli.services import common
from up2k_cli.storage.protocol import UnitOfWork

_LOGIN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
MIN_PASSWORD = 10


@dataclass
class Account:
    login: str
    kind: str  # office | viewer
    kelurahan_code: str | None
    kelurahan: str
    created_at: str


def slug(text: str) -> str:
    """'Pondok Labu' -> 'pondok_labu', 'Sudin PPKUKM' -> 'sudin_ppkukm'."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:50] or "office"


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            "password", "*" * len(password), _("use at least {count} characters").format(count=MIN_PASSWORD)
        )
    return password


def add(
    uow: UnitOfWork, *, kelurahan: str | None, viewer: str | None, login: str | None, password: str
) -> Account:
    """Create the login and give it what its kind may touch, in one transaction."""
    check_password(password)
    with uow:
        meta = uow.meta
        code = common.kelurahan_code(meta, kelurahan) if kelurahan is not None else None
        name = common.kelurahan_names(meta).get(code or "", "")
        wanted = login or (f"kantor_{slug(name)}" if code else f"viewer_{slug(viewer or '')}")
        if not _LOGIN.match(wanted):
            raise ValidationError(
                "login",
                wanted,
                _("use lower-case letters, digits and _ (at most 63), starting with a letter"),
            )
        kind = "office" if code else "viewer"
        uow.add_account(wanted, kind, code, password)  # type: ignore[attr-defined]
        uow.record_changes(
            [{"entity": "account", "ref": wanted, "action": "add-account",
              "changes": {"kind": [None, kind], "kelurahan_code": [None, code]}}]
        )  # fmt: skip
        uow.commit()
        created = uow.now.isoformat(timespec="seconds")
    return Account(wanted, kind, code, name, created)


def accounts(uow: UnitOfWork) -> list[Account]:
    with uow:
        names = common.kelurahan_names(uow.meta)
        return [
            Account(
                a["login"],
                a["kind"],
                a["kelurahan_code"],
                names.get(a["kelurahan_code"] or "", ""),
                a["created_at"],
            )
            for a in uow.accounts()  # type: ignore[attr-defined]
        ]


def remove(uow: UnitOfWork, login: str) -> None:
    with uow:
        known = {a["login"]: a for a in uow.accounts()}  # type: ignore[attr-defined]
        if login not in known:
            raise RuleViolation(
                _("{login} is not an account of this registry; 'up2k office list' lists them").format(
                    login=login
                )
            )
        uow.remove_account(login)  # type: ignore[attr-defined]
        uow.record_changes(
            [{"entity": "account", "ref": login, "action": "remove-account",
              "changes": {"kind": [known[login]["kind"], None]}}]
        )  # fmt: skip
        uow.commit()


def as_rows(found: list[Account]) -> list[dict[str, Any]]:
    return [a.__dict__ for a in found]
