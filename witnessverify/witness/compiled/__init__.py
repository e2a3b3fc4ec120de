"""The Cython build of witness/tries.py (setup.py), where a C compiler was found at install."""
