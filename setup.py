"""The one compiled part: witnessverify/_bn254.c (the BN254 precompiles, rules/l1/bn254.py).

Optional: where no C compiler exists the build goes on without it and the precompiles run on
py-evm's py_ecc versions (native.py says which is in use). Metadata lives in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("witnessverify._bn254", ["witnessverify/_bn254.c"], optional=True,
                             depends=["witnessverify/_bn254_fields.h", "witnessverify/_bn254_curves.h"],
                             extra_compile_args=["-O3"])])
