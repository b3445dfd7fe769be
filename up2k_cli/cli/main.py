"""The up2k command line: global options, error handling, and the command groups."""

import copy
import inspect
import os
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from up2k_cli import __version__, i18n
from up2k_cli.domain.errors import Up2kError, ValidationErrors
from up2k_cli.i18n import INTERRUPTED, _

from . import (
    batches,
    bundles,
    cadres,
    exports,
    groups,
    imports,
    maintenance,
    mend,
    offices,
    outcomes,
    referrals,
    registry_cmds,
    reports,
)
from .context import Settings, default_db_path, stdin_is_terminal

INTERACTIVE_LOCK_WAIT = 5.0
UNATTENDED_LOCK_WAIT = 300.0  # cron: wait for a person's command to finish rather than fail


class Up2kGroup(TyperGroup):
    """Turns every domain error into one 'Error: ...' line on stderr and its exit status, and
    chooses the language before any help or message is written."""

    def make_context(self, info_name: Any, args: list[str], parent: Any = None, **extra: Any) -> Any:
        if parent is None:
            args = global_options_first(args)
        lang = i18n.detect(args)
        i18n.install(lang)
        if lang != "en":
            translate_help(self)
        if any("\x00" in arg for arg in args):
            # No name, path or value can hold a NUL; the OS would refuse it deep inside a command.
            typer.echo(_("Error: an argument contains a NUL character (\\x00); remove it"), err=True)
            raise typer.Exit(2)
        for arg in args:
            bad = next((ch for ch in arg if "\udc80" <= ch <= "\udcff"), None)
            if bad is not None:
                # Python keeps bytes that are not UTF-8 as lone surrogates; no value may hold them.
                typer.echo(
                    _(
                        "Error: an argument is not UTF-8 text (byte \\x{byte}); type it again or set the "
                        "terminal to UTF-8"
                    ).format(byte=f"{ord(bad) - 0xDC00:02x}"),
                    err=True,
                )
                raise typer.Exit(2)
        return super().make_context(info_name, args, parent, **extra)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Indonesian aliases (daftar, ikut, laporan) reach their command without being listed."""
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Up2kError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo(_(INTERRUPTED), err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            if os.environ.get("UP2K_DEBUG"):
                raise
            typer.echo(
                _(
                    "Error: internal error ({error}); nothing was written. "
                    "Please report it; UP2K_DEBUG=1 shows the details."
                ).format(error=f"{type(exc).__name__}: {exc}"),
                err=True,
            )
            raise typer.Exit(1) from None


GLOBAL_OPTIONS = ("--db", "--lock-timeout", "--lang")


def global_options_first(args: list[str]) -> list[str]:
    """`up2k report summary --db x.json` as `up2k --db x.json report summary`: the global options
    (each with its value) are taken from anywhere before `--` and put in front."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            takes_next = "=" not in arg and i + 1 < len(args)
            front += args[i : i + 2] if takes_next else [arg]
            i += 2 if takes_next else 1
            continue
        rest.append(arg)
        i += 1
    return front + rest


def translate_help(command: Any) -> None:
    """Help texts are written in English in the code; show them in the chosen language."""
    for attr in ("help", "short_help"):
        text = getattr(command, attr, None)
        if text:
            setattr(command, attr, i18n._(inspect.cleandoc(text)))
    for param in getattr(command, "params", []):
        if getattr(param, "help", None):
            param.help = i18n._(param.help)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


def report(exc: Up2kError) -> None:
    """One 'Error: ...' line per problem on stderr; values quoted from the registry or the input
    (a name, a reason) are shown visibly, never sent raw to the terminal."""
    from .context import note

    for line in getattr(exc, "details", lambda: [])():
        note(line)
    if isinstance(exc, ValidationErrors):
        for error in exc.errors:
            note(_("Error: {message}").format(message=error))
    else:
        note(_("Error: {message}").format(message=exc))


app = typer.Typer(
    cls=Up2kGroup,
    name="up2k",
    help="Registry for the PKK (family welfare movement) UP2K family income programme, "
    "Kecamatan (district) Cilandak.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(StrEnum):
    id = "id"
    en = "en"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"up2k {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="UP2K_DB",
            help="Registry file, or postgresql://user@host/database for a registry on a PostgreSQL "
            "server. Default: $UP2K_DB, else registry.json in your per-user data folder ('up2k where' "
            "prints the one in use).",
            show_default=False,
        ),
    ] = None,
    lock_timeout: Annotated[
        float | None,
        typer.Option(
            "--lock-timeout",
            envvar="UP2K_LOCK_TIMEOUT",
            min=0,
            help="Seconds to wait for another up2k command to finish with the registry. Default: 5 at a "
            "terminal, 300 otherwise (cron waits for a person's command to finish).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        Lang | None,
        typer.Option(
            "--lang",
            help="Language: id (Bahasa Indonesia) or en. Default: $UP2K_LANG, else the locale "
            "(LANG=id_ID... means Indonesian), else English.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Registry for the PKK UP2K programme: cadres, training, businesses, reports.

    Exit status: 0 ok, 1 refused (bad input or a broken rule; nothing written),
    2 usage error, 3 registry unusable (missing, locked, damaged, newer schema).
    """
    keep = ctx.obj.get("keep") if isinstance(ctx.obj, dict) else None
    if lock_timeout is None:
        lock_timeout = INTERACTIVE_LOCK_WAIT if stdin_is_terminal() else UNATTENDED_LOCK_WAIT
    ctx.obj = Settings(
        db=db if db is not None else str(default_db_path()), lock_timeout=lock_timeout, keep=keep
    )


registry_cmds.install(app)
cadres.install(app)
batches.install(app)
outcomes.install(app)
groups.install(app)
referrals.install(app)
maintenance.install(app)
mend.install(app)
app.command("merge")(bundles.merge)
exports.app.command("bundle")(bundles.export_bundle)
app.add_typer(offices.app, name="office")
app.add_typer(imports.app, name="import")
app.add_typer(exports.app, name="export")
app.add_typer(reports.app, name="report")

# Indonesian names for the main commands. They are resolved by Up2kGroup.get_command, so they
# work everywhere but stay out of the help, the command list and completion.
ALIASES = {**cadres.ALIASES, **batches.ALIASES, **reports.ALIASES}


def command_name(args: list[str]) -> str | None:
    """The top-level command or group `args` name (an alias as its command), or None where the
    whole command line matters: no command, the help, shell completion. `--version` names
    itself: it needs no command at all."""
    if any(var.endswith("_COMPLETE") for var in os.environ):
        return None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--version":
            return arg
        if arg in ("--", "--help", "-h") or arg.startswith("--install-completion"):
            return None
        if arg.startswith("-"):
            takes_value = arg in GLOBAL_OPTIONS  # `--db FILE`; `--db=FILE` is one argument
            i += 2 if takes_value else 1
            continue
        return ALIASES.get(arg, arg)
    return None


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command `args` name: Typer builds every command's options from its
    signature before running one (20 ms of each command's start); the whole app when no known
    command is named, so the help, the suggestions for a misspelt name and completion see all."""
    name = command_name(args)
    if name is None:
        return app
    commands = [c for c in app.registered_commands if c.name == name or _function_name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups and name != "--version":
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def _function_name(command: Any) -> str | None:
    """The name Typer gives a command registered without one."""
    callback = command.callback
    return typer.main.get_command_name(callback.__name__) if command.name is None and callback else None


def main(keep: Any = None) -> None:
    """Run the command line; `keep` receives each registry loaded, to be kept alive to the end."""
    try:
        app_for(sys.argv[1:])(obj={"keep": keep})
    except BrokenPipeError:
        # The reader of our stdout went away (e.g. `| head`): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
