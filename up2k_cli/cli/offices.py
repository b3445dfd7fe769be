"""office add, list, remove: accounts of a registry on PostgreSQL, one login per kelurahan
office and viewers for the agencies and the city; the database enforces what each may do."""

import sys
from typing import Annotated

import typer

from up2k_cli.i18n import N_, _
from up2k_cli.render.formats import Format
from up2k_cli.render.output import Output

from .context import note, registry, stdin_is_terminal
from .options import output_options

app = typer.Typer(
    help="Accounts of a registry on PostgreSQL: a login per kelurahan office, viewers for agencies.",
    no_args_is_help=True,
)


def _password() -> str:
    """Asked twice at a terminal, else the first line of stdin; never an argument."""
    if stdin_is_terminal():
        return typer.prompt(_("Password for the new login"), hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@app.command("add")
def add(
    ctx: typer.Context,
    kelurahan: Annotated[
        str | None,
        typer.Argument(
            help="The kelurahan whose office this login is for (name or code).", show_default=False
        ),
    ] = None,
    viewer: Annotated[
        str | None,
        typer.Option(
            "--viewer",
            help="Instead: a viewer account for an agency or the city (e.g. 'Sudin PPKUKM'): aggregate "
            "reports only, no personal data.",
            show_default=False,
        ),
    ] = None,
    login: Annotated[
        str | None,
        typer.Option(
            "--login",
            help="The login's name (default kantor_<kelurahan>, or viewer_<name>).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a database login for a kelurahan office (or a viewer) and print its name. The
    password is asked twice at a terminal, else read from the first line of stdin."""
    from up2k_cli.domain.errors import Up2kError
    from up2k_cli.services import offices

    if (kelurahan is None) == (viewer is None):
        raise Up2kError(
            _("name a kelurahan (an office's login) or give --viewer NAME (a viewer's), not both")
        )
    account = offices.add(
        registry(ctx), kelurahan=kelurahan, viewer=viewer, login=login, password=_password()
    )
    typer.echo(account.login)
    if account.kind == "office":
        note(
            _(
                "Created login {login} for the office of Kelurahan {name}: it reads and changes that "
                "kelurahan's records only."
            ).format(login=account.login, name=account.kelurahan)
        )
    else:
        note(
            _("Created viewer login {login}: aggregate reports only, no personal data.").format(
                login=account.login
            )
        )


@app.command("list")
@output_options(Format.TABLE, Format.CSV, Format.JSON, default=Format.TABLE)
def list_(ctx: typer.Context, *, out: Output) -> None:
    """The registry's accounts: login, kind (office or viewer), kelurahan, since when."""
    from up2k_cli.render.model import Column, Kind, Table
    from up2k_cli.services import offices

    columns = (
        Column("login", N_("Login"), Kind.CODE),
        Column("kind", N_("Kind")),
        Column("kelurahan_code", N_("Kelurahan code"), Kind.CODE),
        Column("kelurahan", "Kelurahan"),
        Column("created_at", N_("Since"), Kind.WHEN),
    )
    rows = offices.as_rows(offices.accounts(registry(ctx)))
    out.table(Table("offices", _("Accounts ({count})").format(count=len(rows)), columns, rows))


@app.command("remove")
def remove(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="The login to remove ('up2k office list' shows them).")],
) -> None:
    """Remove an account: its rights in this registry are taken back and the login is dropped."""
    from up2k_cli.services import offices

    offices.remove(registry(ctx), login)
    note(_("Removed login {login}.").format(login=login))
