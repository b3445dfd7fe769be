"""Domain errors: each carries the exit status the CLI maps it to."""

from __future__ import annotations

from up2k_cli.i18n import N_, Msg, localise


class Up2kError(Exception):
    """A refusal the user can act on (exit 1): bad input or a broken rule."""

    exit_code = 1


class ValidationError(Up2kError):
    """One field's value is unusable; the message names field, value and the fix.

    The reason may be a Msg: `message` then keeps the English text for machine output (check
    --format json) while str(error) is in the current language.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        self.message = Msg("{field} {value}: {reason}", field=field, value=_show(value), reason=reason)
        super().__init__(localise(self.message))


class ValidationErrors(Up2kError):
    """Several fields of one record are unusable; all are reported, not just the first."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


class RuleViolation(Up2kError):
    """The input is well-formed but a programme rule refuses it."""


class NotFound(Up2kError):
    """A named record (cadre, batch, ...) does not exist."""


class DuplicateWarning(Up2kError):
    """Looks like a record already registered; `--force` overrides."""


class RegistryUnusable(Up2kError):
    """The registry file cannot be used as it is (exit 3)."""

    exit_code = 3


class RegistryMissing(RegistryUnusable):
    pass


class RegistryLocked(RegistryUnusable):
    pass


class RegistryDamaged(RegistryUnusable):
    pass


class RegistryWriteFailed(RegistryUnusable):
    pass


def _show(value: object) -> str:
    if value is None or value == "":
        return Msg(N_("(empty)"))
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)
