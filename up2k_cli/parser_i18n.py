"""The command-line parser's own words (usage, help headings, usage errors) in the current language.

Typer's bundled Click writes these as plain English f-strings, not through gettext, so they are
caught where they are shown: the help formatter's 'Usage:' prefix, the help option's text, the
exception classes' show() and format_message(), and typer.core's gettext calls. Each patched
method hands over to the original while the language is English, so English output is exactly
Click's. Messages are matched against the patterns below and rebuilt from the catalog.
"""

from __future__ import annotations

import re
from typing import Any

from up2k_cli.i18n import N_, _, language

_PATCHED = False

# Messages built by the parser and by pydantic (Typer checks option values with it); the names
# in the patterns are the placeholders of the msgid.
DETAIL_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Got unexpected extra argument\(s\) \((?P<args>.*)\)", N_("Got unexpected extra argument(s) ({args})")),
    (r"Missing command\.", N_("Missing command.")),
    # Typer adds this to 'No such command' (which it translates itself, through gettext).
    (r"(?P<message>.*)\. Did you mean (?P<suggestions>.*)\?", N_("{message}. Did you mean {suggestions}?")),
    (r"No such option: (?P<name>.*)", N_("No such option: {name}")),
    (r"Option (?P<name>'.*') requires an argument\.", N_("Option {name} requires an argument.")),
    (
        r"Option (?P<name>'.*') requires (?P<count>\d+) arguments\.",
        N_("Option {name} requires {count} arguments."),
    ),
    (r"Option (?P<name>'.*') does not take a value\.", N_("Option {name} does not take a value.")),
    (r"Argument (?P<name>'.*') takes (?P<count>\d+) values\.", N_("Argument {name} takes {count} values.")),
    (r"Value must be an iterable\.", N_("Value must be an iterable.")),
    # Click's own types (Typer versions without pydantic).
    (r"(?P<value>.*) is not a valid (?P<label>int|integer)\.", N_("{value} is not a valid whole number.")),
    (r"(?P<value>.*) is not a valid (?P<label>float)\.", N_("{value} is not a valid number.")),
    (
        r"(?P<value>.*) is not a valid boolean\. Recognized values: (?P<values>.*)",
        N_("{value} is not a valid yes/no value. Recognized values: {values}"),
    ),
    (r"(?P<value>.*) is not in the range (?P<range>.*)\.", N_("{value} is not in the range {range}.")),
    (
        r"(?P<value>.*) does not match the formats (?P<formats>.*)\.",
        N_("{value} does not match the formats {formats}."),
    ),
    (
        r"(?P<count>\d+) values are required, but (?P<given>\d+) given\.",
        N_("{count} values are required, but {given} given."),
    ),
    (r"Value (?P<value>.*) is not a valid (?P<label>.*)\.", N_("Value {value} is not a valid {label}.")),
    (
        r"(?:Value error, )?(?P<value>.*) is not one of (?P<choices>.*)\.",
        N_("{value} is not one of {choices}."),
    ),
    (
        r"Input should be a valid integer, unable to parse string as an integer",
        N_("Input should be a valid integer, unable to parse string as an integer"),
    ),
    (
        r"Input should be a valid integer, got a number with a fractional part",
        N_("Input should be a valid integer, got a number with a fractional part"),
    ),
    (
        r"Input should be a valid number, unable to parse string as a number",
        N_("Input should be a valid number, unable to parse string as a number"),
    ),
    (
        r"Input should be a valid boolean, unable to interpret input",
        N_("Input should be a valid boolean, unable to interpret input"),
    ),
    (
        r"Input should be greater than or equal to (?P<limit>.*)",
        N_("Input should be greater than or equal to {limit}"),
    ),
    (r"Input should be greater than (?P<limit>.*)", N_("Input should be greater than {limit}")),
    (
        r"Input should be less than or equal to (?P<limit>.*)",
        N_("Input should be less than or equal to {limit}"),
    ),
    (r"Input should be less than (?P<limit>.*)", N_("Input should be less than {limit}")),
    (r"(?P<label>File|Directory|Path) (?P<name>.*) does not exist\.", N_("{label} {name} does not exist.")),
    (r"(?P<label>File|Directory|Path) (?P<name>.*) is a directory\.", N_("{label} {name} is a directory.")),
    (r"(?P<label>File|Directory|Path) (?P<name>.*) is a file\.", N_("{label} {name} is a file.")),
    (r"(?P<label>File|Directory|Path) (?P<name>.*) is not readable\.", N_("{label} {name} is not readable.")),
    (r"(?P<label>File|Directory|Path) (?P<name>.*) is not writable\.", N_("{label} {name} is not writable.")),
)
_DETAILS = tuple((re.compile(pattern), msgid) for pattern, msgid in DETAIL_MESSAGES)
# Words that fill a placeholder of the messages above.
WORDS = {"File": N_("File"), "Directory": N_("Directory"), "Path": N_("Path")}

MISSING = {
    "option": N_("Missing option {name}."),
    "argument": N_("Missing argument {name}."),
    "parameter": N_("Missing parameter {name}."),
}
USAGE_PREFIX = N_("Usage: ")
HELP_OPTION = N_("Show this message and exit.")
ERROR_LINE = N_("Error: {message}")
TRY_HELP = N_("Try '{command} {option}' for help.")
INVALID_FOR = N_("Invalid value for {hint}: {message}")
INVALID = N_("Invalid value: {message}")
POSSIBLE = N_("(Possible options: {options})")
OPEN_FAILED = N_("Could not open file {name}: {message}")
ENVVAR_HINT = N_("(env var: {var})")


def translate(message: str) -> str:
    """A parser message in the current language (unknown messages, e.g. ours, pass unchanged)."""
    if language() == "en":
        return message
    for pattern, msgid in _DETAILS:
        m = pattern.fullmatch(message)
        if m:
            parts = {k: _(WORDS[v]) if k == "label" and v in WORDS else v for k, v in m.groupdict().items()}
            return _(msgid).format(**parts)
    return message


def install() -> None:
    """Patch the parser once. Each patched method first lets the original write its English, then
    rebuilds it from the catalog when its shape is known (so a change inside Typer can at worst
    leave a message in English); while English is current the original runs untouched."""
    global _PATCHED
    if _PATCHED:
        return
    _PATCHED = True
    import typer.core as typer_core
    from typer._click import decorators, exceptions, formatting

    typer_core._ = _  # type: ignore[attr-defined]  # headings, 'default: ...', 'No such command'

    write_usage = formatting.HelpFormatter.write_usage

    def localised_write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None and language() != "en":
            prefix = _(USAGE_PREFIX)
        write_usage(self, prog, args, prefix)

    formatting.HelpFormatter.write_usage = localised_write_usage  # type: ignore[method-assign]

    help_option = decorators.help_option

    def localised_help_option(*args: Any, **kwargs: Any) -> Any:
        decorate = help_option(*args, **kwargs)

        def apply(command: Any) -> Any:
            command = decorate(command)
            option = command.params[-1] if getattr(command, "params", None) else None
            if language() != "en" and getattr(option, "help", None) == HELP_OPTION:
                option.help = _(HELP_OPTION)
            return command

        return apply

    # Command.get_help_option imports help_option from the decorators module when it is called.
    decorators.help_option = localised_help_option  # type: ignore[assignment]

    def patch(cls: Any, name: str, localised: Any) -> None:
        original = getattr(cls, name)

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            if language() == "en":
                return original(self, *args, **kwargs)
            return localised(original, self, *args, **kwargs)

        setattr(cls, name, method)

    patch(exceptions.ClickException, "show", _show)
    patch(exceptions.ClickException, "format_message", _plain_message)
    patch(exceptions.UsageError, "show", _show)
    patch(exceptions.BadParameter, "format_message", _bad_parameter_message)
    patch(exceptions.MissingParameter, "format_message", _missing_message)
    patch(exceptions.NoSuchOption, "format_message", _no_such_option_message)
    patch(exceptions.FileError, "format_message", _file_error_message)
    # It shows the help page as its message: nothing to translate there.
    patch(exceptions.NoArgsIsHelpError, "format_message", lambda original, self: self.message)


_ERROR = re.compile(r"Error: (?P<message>.*)", re.DOTALL)
_TRY = re.compile(r"Try '(?P<command>.*) (?P<option>\S+)' for help\.")


def _show(original: Any, self: Any, file: Any = None) -> None:
    """The original show() into a buffer, its 'Try ...' and 'Error: ...' lines translated."""
    import io

    from typer._click.utils import echo

    buffer = io.StringIO()
    original(self, file=buffer)
    lines = buffer.getvalue().split("\n")
    for i, line in enumerate(lines):
        if m := _TRY.fullmatch(line):
            lines[i] = _(TRY_HELP).format(**m.groupdict())
        elif m := _ERROR.fullmatch(line):
            lines[i] = _(ERROR_LINE).format(**m.groupdict())
    text = "\n".join(lines)
    if file is None:
        echo(text, err=True, nl=False)
    else:
        echo(text, file=file, nl=False)


def _plain_message(original: Any, self: Any) -> str:
    return translate(original(self))


def _bad_parameter_message(original: Any, self: Any) -> str:
    text, detail = original(self), self.message
    if text == f"Invalid value: {detail}":
        return _(INVALID).format(message=translate(detail))
    head, tail = "Invalid value for ", f": {detail}"
    if text.startswith(head) and text.endswith(tail):
        hint = _ENVVAR_HINT.sub(
            lambda m: " " + _(ENVVAR_HINT).format(var=m["var"]), text[len(head) : -len(tail)]
        )
        return _(INVALID_FOR).format(hint=hint, message=translate(detail))
    return translate(text)


_ENVVAR_HINT = re.compile(r" \(env var: (?P<var>'[^']*')\)$")


_MISSING = re.compile(
    r"Missing (?P<kind>option|argument|parameter) (?P<name>.*?)\.(?: (?P<extra>.+))?", re.DOTALL
)


def _missing_message(original: Any, self: Any) -> str:
    text = original(self)
    m = _MISSING.fullmatch(text)
    if not m:
        return translate(text)
    main = _(MISSING[m["kind"]]).format(name=m["name"])
    return f"{main} {translate(m['extra'])}" if m["extra"] else main


def _no_such_option_message(original: Any, self: Any) -> str:
    text = original(self)
    if self.possibilities:
        suggest = f" (Possible options: {', '.join(sorted(self.possibilities))})"
        if text.endswith(suggest):
            options = ", ".join(sorted(self.possibilities))
            return translate(text[: -len(suggest)]) + " " + _(POSSIBLE).format(options=options)
    return translate(text)


def _file_error_message(original: Any, self: Any) -> str:
    text, tail = original(self), f": {self.message}"
    head = "Could not open file "
    if text.startswith(head) and text.endswith(tail):
        return _(OPEN_FAILED).format(
            name=text[len(head) : len(text) - len(tail)], message=translate(self.message)
        )
    return translate(text)
