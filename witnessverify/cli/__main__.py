"""`python -m witnessverify.cli`."""

from . import main

main()
