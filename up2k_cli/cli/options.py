"""The output options every command that writes something shares (as sqlite-utils shares
@output_options): --format/-f and --output/-o, --wide where a table is drawn, and for lists
--limit, --offset and --no-pager. The parser validates --format against the formats the command
supports (a usage error, exit 2, lists them); the command receives one render Output.
"""

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from up2k_cli.i18n import _
from up2k_cli.render.formats import Format, from_extension

F = TypeVar("F", bound=Callable[..., Any])

# Help texts are fixed strings (each is translated in the catalog); the formats themselves are
# listed by the option's metavar, e.g. [table|csv|json].
FORMAT_HELP = {
    Format.TABLE: "Output format; default table, or what --output's extension says (.csv, .json, "
    ".jsonl, .md, .xlsx). xlsx needs --output; ids is one ID a line.",
    Format.CSV: "Output format; default csv, or what --output's extension says (.csv, .json, .jsonl, "
    ".xlsx). xlsx needs --output.",
    Format.HTML: "Output format: html, a page that needs no network or script.",
}
# The reports that can also be one chart picture.
PICTURE_HELP = (
    "Output format; default table, or what --output's extension says (.csv, .json, .md, .xlsx, "
    ".png, .svg). png and svg are one chart for a phone screen; xlsx and png need --output."
)


def _parser(allowed: tuple[Format, ...]) -> Callable[[str], Format]:
    def parse(value: str) -> Format:
        if isinstance(value, Format) and value in allowed:
            return value
        text = str(value).strip().lower()
        for fmt in allowed:
            if fmt.value == text:
                return fmt
        raise typer.BadParameter(
            _("{value}: use one of {formats}").format(
                value=repr(str(value)), formats=", ".join(f.value for f in allowed)
            )
        )

    return parse


def choose(allowed: tuple[Format, ...], default: Format, given: Format | None, path: Path | None) -> Format:
    """--format, else what --output's extension says, else the command's default; a format the
    command does not write, or a binary one without a file, is a usage error."""
    from up2k_cli.render.destination import is_stdout
    from up2k_cli.render.output import needs_file

    chosen = given
    if chosen is None and not is_stdout(path):
        implied = from_extension(path)
        if implied is not None and implied not in allowed:
            raise typer.BadParameter(
                _(
                    "{path} means --format {format}, which this command does not write; use one of {formats}"
                ).format(
                    path=repr(str(path)), format=implied.value, formats=", ".join(f.value for f in allowed)
                ),
                param_hint="'--output'",
            )
        chosen = implied
    chosen = chosen or default
    if chosen.binary and (path is None or str(path) == "-"):
        raise typer.BadParameter(needs_file(chosen), param_hint="'--output'")
    return chosen


def output_options(
    *formats: Format, default: Format, paging: bool = False, help: str | None = None
) -> Callable[[F], F]:
    """Give a command the shared output options; it takes them as its `out` parameter.

    `paging` adds --limit, --offset and --no-pager (the lists); `help` replaces the --format help
    of the command's default format.
    """

    # Built once for every command that takes this set (a command's start-up pays only the wrap).
    added = [
        _option(
            "out_format",
            Annotated[
                Format | None,
                typer.Option(
                    "--format",
                    "-f",
                    parser=_parser(formats),
                    metavar="[" + "|".join(f.value for f in formats) + "]",
                    help=help or FORMAT_HELP[default],
                    show_default=False,
                ),
            ],
            None,
        ),
        _option(
            "out_path",
            Annotated[
                Path | None,
                typer.Option(
                    "--output",
                    "-o",
                    help="Write to this file (atomically, mode 0600; a device or FIFO is written "
                    "into); - is stdout.",
                    show_default=False,
                ),
            ],
            None,
        ),
    ]
    if Format.TABLE in formats:
        added.append(
            _option(
                "out_wide",
                Annotated[
                    bool,
                    typer.Option("--wide", help="Tables: every column and whole texts, whatever the width."),
                ],
                False,
            )
        )
    if paging:
        added += [
            _option(
                "out_limit",
                Annotated[
                    int | None,
                    typer.Option(
                        "--limit",
                        min=1,
                        help="At most N rows (history: the last N changes).",
                        show_default=False,
                    ),
                ],
                None,
            ),
            _option(
                "out_offset",
                Annotated[
                    int,
                    typer.Option("--offset", min=0, help="Skip the first N rows (history: the last N)."),
                ],
                0,
            ),
            _option(
                "out_no_pager",
                Annotated[
                    bool,
                    typer.Option("--no-pager", help="On a terminal, show one screenful instead of paging."),
                ],
                False,
            ),
        ]

    def output(given: dict[str, Any], call: dict[str, Any]) -> Any:
        return build(
            call.get("ctx"),
            formats,
            default,
            given["out_format"],
            given["out_path"],
            wide=given.get("out_wide", False),
            limit=given.get("out_limit"),
            offset=given.get("out_offset", 0),
            pager=not given.get("out_no_pager", False),
            paging=paging,
        )

    def decorate(func: F) -> F:
        return _with_options(func, "out", added, output)

    return decorate


def field_options(into: str, **options: Any) -> Callable[[F], F]:
    """Options that several commands share, declared once: `field=Annotated[str | None,
    typer.Option("--option", ...)]`, each named by the field it fills. The command takes those
    given as one dict, its parameter `into` (options left out are not in it)."""

    added = [_option(name, annotation, None) for name, annotation in options.items()]

    def decorate(func: F) -> F:
        return _with_options(
            func, into, added, lambda given, _call: {k: x for k, x in given.items() if x is not None}
        )

    return decorate


def _with_options(
    func: F, into: str, added: list[inspect.Parameter], make: Callable[[dict[str, Any], dict[str, Any]], Any]
) -> F:
    """`func` as Typer sees it: the `added` options in place of its parameter `into`, which gets
    what `make` builds from their values (and the rest of the call, e.g. its context)."""
    signature = inspect.signature(func)
    params = [p for p in signature.parameters.values() if p.name != into]
    names = [p.name for p in added]

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for name in names if name in kwargs}
        return func(*args, **{into: make(given, kwargs)}, **kwargs)

    command.__signature__ = signature.replace(parameters=[*params, *added])  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in [*params, *added]}
    return command  # type: ignore[return-value]


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def build(
    ctx: typer.Context | None,
    formats: tuple[Format, ...],
    default: Format,
    given: Format | None,
    path: Path | None,
    *,
    wide: bool = False,
    limit: int | None = None,
    offset: int = 0,
    pager: bool = True,
    paging: bool = False,
) -> Any:
    """The render Output for this run, with what its --output must not overwrite."""
    from up2k_cli.render.destination import check, is_stdout
    from up2k_cli.render.output import Output

    from .context import note, protected_paths

    fmt = choose(formats, default, given, path)
    protected = protected_paths(ctx) if ctx is not None and path is not None else ()
    if not is_stdout(path):
        # Before the command does anything: a refused path must leave no trace (not even the
        # personal-data record of an export that was never written).
        check(path, protected)  # type: ignore[arg-type]
    return Output(
        fmt,
        path,
        wide=wide,
        limit=limit,
        offset=offset,
        pager=pager,
        paging=paging,
        protected=protected,
        notify=note,
    )


# The sets most commands share: a list, a record's page, a short table of settings.
list_options = output_options(
    Format.TABLE, Format.CSV, Format.JSON, Format.JSONL, Format.MARKDOWN, Format.XLSX, Format.IDS,
    default=Format.TABLE, paging=True,
)  # fmt: skip
show_options = output_options(Format.TABLE, Format.JSON, Format.MARKDOWN, default=Format.TABLE)
settings_options = output_options(
    Format.TABLE, Format.CSV, Format.JSON, Format.JSONL, Format.MARKDOWN, default=Format.TABLE
)
