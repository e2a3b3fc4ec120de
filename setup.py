"""The compiled parts, both optional (metadata lives in pyproject.toml):

  witnessverify._bn254                   the BN254 precompiles in C (rules/l1/bn254.py)
  witnessverify.interpreter.compiled.*   the interpreter loop's Python modules compiled by Cython,
                                         under the C types of interpreter/compiled/*.pxd
  witnessverify.witness.compiled.tries   the witness trie codec and lookup (witness/tries.py)
                                         compiled by Cython as it is

Where no C compiler exists (or Cython is missing) the build goes on without them: the
precompiles run on py-evm's py_ecc versions, frames on the loop as Python and the witness tries
as Python (native.py, interpreter/choice.py and witness/tries.py `BUILD` say which is in use).
"""

from glob import glob

from setuptools import Extension, setup

INTERPRETER = ["loop", "opcodes", "analysis", "memory"]


def _cython():
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    modules = [Extension(f"witnessverify.interpreter.compiled.{name}", [f"witnessverify/interpreter/{name}.py"],
                         depends=glob(f"witnessverify/interpreter/compiled/{name}.pxd"), optional=True,
                         extra_compile_args=["-O2"])
               for name in INTERPRETER]
    modules.append(Extension("witnessverify.witness.compiled.tries", ["witnessverify/witness/tries.py"],
                             optional=True, extra_compile_args=["-O2"]))
    # annotation_typing off: the annotations are for readers and type checkers, the C types are
    # the .pxd files' alone (a `type` annotation would otherwise reject py-evm's ABCMeta classes)
    return cythonize(modules, build_dir="build/cython", include_path=["."], quiet=True,
                     compiler_directives={"language_level": 3, "annotation_typing": False})


setup(ext_modules=[Extension("witnessverify._bn254", ["witnessverify/_bn254.c"], optional=True,
                             depends=["witnessverify/_bn254_fields.h", "witnessverify/_bn254_curves.h"],
                             extra_compile_args=["-O3"])] + _cython())
