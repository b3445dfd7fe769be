"""undo: take back the last command that changed the registry."""

from typing import Annotated

import typer

from up2k_cli.i18n import _

from .context import note, registry, stdin_is_terminal


def install(app: typer.Typer) -> None:
    app.command("undo")(undo)


def undo(
    ctx: typer.Context,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Undo without asking (needed without a terminal).")
    ] = False,
) -> None:
    """Undo the last command that changed the registry, from the history's old values; shown
    first and confirmed. Run again to go further back. An erasure cannot be undone."""
    from up2k_cli.services import undo as service

    plan = service.plan(registry(ctx))
    note(
        _("Last change: up2k {command}, {at}, by {user}:").format(
            command=plan.command, at=plan.at, user=plan.user
        )
    )
    for line in plan.lines():
        note(f"  {line}")
    if not yes:
        if not stdin_is_terminal():
            note(_("Error: add --yes to undo it (stdin is not a terminal, so up2k cannot ask)"))
            raise typer.Exit(2)
        if not typer.confirm(_("Undo it?"), err=True):
            note(_("Nothing was changed."))
            raise typer.Exit(1)
    done = service.undo(registry(ctx), expected_op=plan.op)
    note(_("Undone: up2k {command} ({at}).").format(command=done.command, at=done.at))
