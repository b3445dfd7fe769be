"""init and where: creating and finding the registry file."""

from typing import Annotated

import typer

from up2k_cli.i18n import _

from .context import note, settings, today


def install(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("where")(where)


def init(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(help="Programme start date (2026-11-27 or 27/11/2026); default today."),
    ] = None,
) -> None:
    """Create the registry with the Kecamatan Cilandak preset (its five kelurahan, urban villages) and
    the 4,000-5,000 target."""
    from up2k_cli.services import registry

    s = settings(ctx)
    created, meta = registry.init_registry(s.db, start=start, today=today(), lock_timeout=s.lock_timeout)
    target = meta["target"]
    if created:
        note(
            _(
                "Created {path}: Kecamatan Cilandak ({count} kelurahan), target {minimum}-{stretch} new "
                "entrepreneurs in {years} years from {start}."
            ).format(
                path=s.db,
                count=len(meta["region"]["kelurahan"]),
                minimum=target["minimum"],
                stretch=target["stretch"],
                years=target["years"],
                start=target["start"],
            )
        )
    else:
        note(_("{path} already exists; nothing changed.").format(path=s.db))


def where(ctx: typer.Context) -> None:
    """Print the registry file this command line uses (from --db, UP2K_DB or the default)."""
    s = settings(ctx)
    typer.echo(str(s.db))
    if not s.db.exists():
        note(_("(it does not exist yet; 'up2k init' creates it)"))
