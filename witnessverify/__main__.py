"""`python -m witnessverify` runs the command line, as the `witnessverify` script does."""

from .cli import main

main()
