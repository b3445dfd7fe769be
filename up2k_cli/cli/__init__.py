"""The command line: one module per command group (parse, call a service, render).

The command modules do not use `from __future__ import annotations`: with string annotations,
Typer evaluates every parameter's annotation again on each run (about 30 ms per command).
"""
