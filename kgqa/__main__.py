"""python -m kgqa runs the CLI."""

from kgqa.cli import main

main()
