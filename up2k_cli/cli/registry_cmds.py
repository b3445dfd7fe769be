"""init, where and copy: creating, finding and moving the registry (a file or a database)."""

from typing import Annotated

import typer

from up2k_cli.i18n import _

from .context import note, registry, settings, today


def install(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("where")(where)
    app.command("copy")(copy)


def init(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(help="Programme start date (2026-11-27 or 27/11/2026); default today."),
    ] = None,
) -> None:
    """Create the registry with the Kecamatan Cilandak preset (its five kelurahan, urban villages) and
    the 4,000-5,000 target. On PostgreSQL: in an existing, empty database."""
    from up2k_cli.services import registry as registry_service

    s = settings(ctx)
    created, meta = registry_service.init_registry(
        s.db, start=start, today=today(), lock_timeout=s.lock_timeout
    )
    target = meta["target"]
    if created:
        note(
            _(
                "Created {path}: Kecamatan Cilandak ({count} kelurahan), target {minimum}-{stretch} new "
                "entrepreneurs in {years} years from {start}."
            ).format(
                path=s.shown,
                count=len(meta["region"]["kelurahan"]),
                minimum=target["minimum"],
                stretch=target["stretch"],
                years=target["years"],
                start=target["start"],
            )
        )
    else:
        note(_("{path} already exists; nothing changed.").format(path=s.shown))


def where(ctx: typer.Context) -> None:
    """Print the registry this command line uses (from --db, UP2K_DB or the default); a PostgreSQL
    URL with its password masked."""
    from up2k_cli import storage

    s = settings(ctx)
    typer.echo(s.shown)
    if not storage.registry_exists(s.db, lock_timeout=s.lock_timeout):
        note(_("(it does not exist yet; 'up2k init' creates it)"))


def copy(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="Where to: a new registry file, or postgresql://user@host/database of an empty database.",
            show_default=False,
        ),
    ],
) -> None:
    """Copy the whole registry (every table, the history, the settings, IDs and counters kept) to a
    new file or an empty PostgreSQL database, or back. The copy is recorded in this registry's
    history, as a file with personal data."""
    from up2k_cli.services import registry as registry_service

    s = settings(ctx)
    done = registry_service.copy_registry(registry(ctx), to, lock_timeout=s.lock_timeout)
    note(
        _(
            "Copied {source} to {target}: {cadres} cadres, {batches} batches, {enrollments} enrollments, "
            "{businesses} businesses and {history} history entries, IDs kept."
        ).format(
            source=done.source,
            target=done.target,
            cadres=done.counts.get("cadres", 0),
            batches=done.counts.get("batches", 0),
            enrollments=done.counts.get("enrollments", 0),
            businesses=done.counts.get("businesses", 0),
            history=done.counts.get("history", 0),
        )
    )
