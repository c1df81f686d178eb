"""The ``linc`` command. Renders with rich; all the work is done by the library."""

from __future__ import annotations

import typer

app = typer.Typer(help="Logical reasoning over natural language.", no_args_is_help=True, add_completion=False)


@app.command()
def version() -> None:
    """Print the version."""
    from linc import __version__

    typer.echo(__version__)


if __name__ == "__main__":
    app()
